"""When the compat layer exists: only when a variable or option asks, registered once."""

import json
import os
from pathlib import Path

import pytest
from recording import journal
from test_compat_pytest_abort import COMPAT_VARIABLES

PLUGIN = ("-p", "pytest_blackbox.plugin")

# Run inside the tested pytest: which compat objects are registered, one line per test.
INSPECTING_SUITE = """
import json, os

def registered(config):
    from pytest_blackbox import compat
    kinds = (compat.CompatSession, compat.MarkerWriter, compat.Checkpoint, compat.ControllerHooks)
    return sorted(type(p).__name__ for p in config.pluginmanager.get_plugins()
                  if isinstance(p, kinds))

def test_one(request):
    with open(os.environ["REPORT"], "a") as f:
        f.write(json.dumps(registered(request.config)) + "\\n")

def test_two(request):
    pass
"""


@pytest.fixture
def compat_env(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in COMPAT_VARIABLES:
        clean_env.delenv(name, raising=False)
    clean_env.setenv("REPORT", str(tmp_path / "report.jsonl"))
    return clean_env


def registered(tmp_path: Path) -> list:
    (line,) = (tmp_path / "report.jsonl").read_text().splitlines()
    return json.loads(line)


def test_inactive_without_variables_or_options(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
):
    pytester.makepyfile(test_suite=INSPECTING_SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    assert registered(tmp_path) == []  # no hook at all: nothing runs per test
    made = {p.name for p in pytester.path.iterdir() if not p.name.startswith("runpytest-")}
    assert made - {"__pycache__", "stdout", "stderr"} == {"test_suite.py"}  # pytester's own
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.jsonl"]


def test_the_options_exist_while_inactive(pytester: pytest.Pytester, compat_env):
    result = pytester.runpytest_subprocess(*PLUGIN, "--help")
    for option in (
        "--last-running-file=PATH",
        "--last-running-dir=PATH",
        "--rocm-last-running-file=PATH",
        "--rocm-last-running-dir=PATH",
    ):
        assert result.stdout.str().count(option) == 1


def test_only_the_features_asked_for_are_registered(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
):
    compat_env.setenv("PYTEST_ABORT_CRASHED_TESTS_LOG", str(tmp_path / "crashes.jsonl"))
    pytester.makepyfile(test_suite=INSPECTING_SUITE)
    pytester.runpytest_subprocess(*PLUGIN).assert_outcomes(passed=2)
    # The crash log is the xdist controller's business: nothing per test in a serial run.
    assert registered(tmp_path) == ["CompatSession"]
    assert not (tmp_path / "crashes.jsonl").exists()


@pytest.mark.parametrize("also", ["PYTEST_PLUGINS", "-p twice"])
def test_injected_twice_registers_once(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path, also: str
):
    checkpoint = tmp_path / "checkpoint.log"
    compat_env.setenv("CT_PYTEST_CHECKPOINT", str(checkpoint))
    compat_env.setenv("PYTEST_ABORT_LAST_RUNNING_FILE", str(tmp_path / "m.json"))
    args = PLUGIN
    if also == "PYTEST_PLUGINS":
        compat_env.setenv("PYTEST_PLUGINS", "pytest_blackbox.plugin")
    else:
        args = PLUGIN + PLUGIN
    pytester.makepyfile(test_suite=INSPECTING_SUITE)
    pytester.runpytest_subprocess(*args).assert_outcomes(passed=2)
    assert registered(tmp_path) == ["Checkpoint", "CompatSession", "MarkerWriter"]
    assert checkpoint.read_text() == "test_suite.py::test_one\ntest_suite.py::test_two\n"


def test_installed_entry_point_alone_honours_the_variables(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
):
    """As after `pip install`: an entry point, no -p; plus PYTEST_PLUGINS, as `blackbox run`."""
    site = tmp_path / "site"
    dist_info = site / "pytest_blackbox_fake-0.1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: pytest-blackbox-fake\n")
    (dist_info / "entry_points.txt").write_text(
        "[pytest11]\npytest_blackbox.plugin = pytest_blackbox.plugin\n"
    )
    compat_env.setenv("PYTHONPATH", f"{site}{os.pathsep}{os.environ['PYTHONPATH']}")
    compat_env.setenv("PYTEST_PLUGINS", "pytest_blackbox.plugin")
    checkpoint = tmp_path / "checkpoint.log"
    compat_env.setenv("CT_PYTEST_CHECKPOINT", str(checkpoint))
    pytester.makepyfile(test_suite=INSPECTING_SUITE)
    result = pytester.runpytest_subprocess("--last-running-dir", str(tmp_path / "markers"))
    result.assert_outcomes(passed=2)
    assert registered(tmp_path) == ["Checkpoint", "CompatSession", "MarkerWriter"]
    assert checkpoint.read_text().count("\n") == 2
    assert list((tmp_path / "markers").iterdir()) == []  # made, and each marker deleted


def test_works_alongside_blackbox_recording(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, run_dir: Path, tmp_path: Path
):
    marker = tmp_path / "m.json"
    compat_env.setenv("PYTEST_ABORT_LAST_RUNNING_FILE", str(marker))
    compat_env.setenv("CT_PYTEST_CHECKPOINT", str(tmp_path / "checkpoint.log"))
    pytester.makepyfile(
        test_suite=INSPECTING_SUITE
        + """
def test_crash():
    os.abort()
"""
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret < 0
    assert json.loads(marker.read_text())["nodeid"] == "test_suite.py::test_crash"
    assert (tmp_path / "checkpoint.log").read_text().splitlines()[-1] == "test_suite.py::test_crash"
    tests = [r["nodeid"] for r in journal(run_dir) if r["ev"] == "test"]
    assert tests[-1] == "test_suite.py::test_crash"
