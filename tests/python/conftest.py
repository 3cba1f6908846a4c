"""Fixtures for the plugin's tests: pytester, and a clean blackbox environment for each run."""

import os
import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[2] / "python"
sys.path.insert(0, str(PYTHON_DIR))  # the plugin under test, for the in-process runs

pytest_plugins = ["pytester"]

# Another pytest than the interpreter's own, first on PYTHONPATH (scripts/test-pytest-versions).
PYTEST_UNDER_TEST_PATH = os.environ.get("BLACKBOX_TEST_PYTEST_PATH")

BLACKBOX_VARIABLES = (
    "BLACKBOX_RUN_DIR",
    "BLACKBOX_ATTEMPT",
    "BLACKBOX_FSYNC",
    "BLACKBOX_RECORDER",
    "BLACKBOX_CAPTURE_SOCKET",
    "BLACKBOX_NATIVE_LIB",
    "PYTEST_PLUGINS",
    "PYTEST_ADDOPTS",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No blackbox variable inherited (this suite may itself run recorded); the plugin importable
    by subprocesses."""
    for name in BLACKBOX_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(PYTHON_DIR), path])))
    if PYTEST_UNDER_TEST_PATH and (Path(PYTEST_UNDER_TEST_PATH) / "xdist").is_dir():
        # Another pytest release, with the machine's plugins off (scripts/test-pytest-versions):
        # its pytest-xdist is loaded by name.
        monkeypatch.setenv("PYTEST_PLUGINS", "xdist.plugin")
    return monkeypatch


@pytest.fixture
def run_dir(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A run directory handed to the plugin the way the supervisor does it."""
    path = tmp_path / "run"
    clean_env.setenv("BLACKBOX_RUN_DIR", str(path))
    return path


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: builds and installs the package (seconds)")
