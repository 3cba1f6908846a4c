"""The package installs offline, and every way of loading the plugin registers it once."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PYTEST_UNDER_TEST_PATH, PYTHON_DIR
from recording import journal

TRIVIAL = "def test_one():\n    pass\n"


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv over the system's packages with the plugin pip-installed into it."""
    if PYTEST_UNDER_TEST_PATH:
        pytest.skip(
            "on another pytest release plugin autoload is off (the machine's plugins were made "
            "for its own pytest): an installed entry point is not loaded"
        )
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    shutil.copytree(PYTHON_DIR, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    venv = root / "venv"
    made = subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot create a virtualenv here: {made.stderr.strip()[-200:]}")
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-build-isolation",
            "--no-index",
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr
    return python


def run_pytest(pytester: pytest.Pytester, python: Path, *args: str) -> pytest.RunResult:
    return pytester.run(str(python), "-m", "pytest", "-p", "no:cacheprovider", *args)


@pytest.mark.slow
def test_installed_entry_point_records_without_any_flag(
    pytester: pytest.Pytester, venv_python: Path, run_dir: Path, clean_env
):
    clean_env.delenv("PYTHONPATH")
    pytester.makepyfile(TRIVIAL)
    result = run_pytest(pytester, venv_python)
    result.assert_outcomes(passed=1)
    assert [r["ev"] for r in journal(run_dir)][-2:] == ["session_end", "exit"]


@pytest.mark.slow
def test_entry_point_plus_pytest_plugins_plus_p_register_one_plugin(
    pytester: pytest.Pytester, venv_python: Path, run_dir: Path, clean_env
):
    clean_env.setenv("PYTEST_PLUGINS", "pytest_blackbox.plugin")  # what the supervisor injects
    pytester.makepyfile(TRIVIAL)
    result = run_pytest(pytester, venv_python, "-p", "pytest_blackbox.plugin")
    result.assert_outcomes(passed=1)
    assert "already registered" not in result.stderr.str()
    assert len([r for r in journal(run_dir) if r["ev"] == "start"]) == 1


@pytest.mark.slow
def test_installed_plugin_is_idle_without_activation(
    pytester: pytest.Pytester, venv_python: Path, clean_env
):
    clean_env.delenv("PYTHONPATH")
    pytester.makepyfile(TRIVIAL)
    result = run_pytest(pytester, venv_python, "--help")
    assert "--blackbox-fsync" in result.stdout.str()
    run_pytest(pytester, venv_python).assert_outcomes(passed=1)
    assert not (pytester.path / ".blackbox").exists()


@pytest.mark.slow
def test_installed_package_holds_the_compat_subpackage(
    pytester: pytest.Pytester, venv_python: Path, clean_env
):
    clean_env.delenv("PYTHONPATH")
    clean_env.setenv("CT_PYTEST_CHECKPOINT", str(pytester.path / "checkpoint.log"))
    pytester.makepyfile(TRIVIAL)
    run_pytest(pytester, venv_python).assert_outcomes(passed=1)
    lines = (pytester.path / "checkpoint.log").read_text().splitlines()
    assert lines == ["test_installed_package_holds_the_compat_subpackage.py::test_one"]
