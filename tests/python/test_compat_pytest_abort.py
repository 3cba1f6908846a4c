"""pytest-abort's interface, as a runner written against its documentation uses it.

The marker file and the crashed-tests log, with the variables and options of pytest-abort and of
its older variant (`JAX_ROCM_*`), without blackbox recording the run.
"""

import json
import os
import signal
from datetime import datetime, timedelta
from pathlib import Path

import pytest

PLUGIN = ("-p", "pytest_blackbox.plugin")
COMPAT_VARIABLES = (
    "PYTEST_ABORT_LAST_RUNNING_FILE",
    "PYTEST_ABORT_LAST_RUNNING_DIR",
    "PYTEST_ABORT_CRASHED_TESTS_LOG",
    "JAX_ROCM_LAST_RUNNING_FILE",
    "JAX_ROCM_LAST_RUNNING_DIR",
    "JAX_ROCM_CRASHED_TESTS_LOG",
    "CT_PYTEST_CHECKPOINT",
    "HIP_VISIBLE_DEVICES",
    "PYTEST_XDIST_WORKER",
)
MARKER_KEYS = ["test_name", "nodeid", "start_time", "status", "pid", "gpu_id"]
LINE_KEYS = [
    "test_name",
    "test_class",
    "nodeid",
    "reason",
    "crash_time",
    "duration",
    "gpu_id",
    "pid",
    "source",
    "logged_at",
]

# Each test checks, in its own setup, that the marker already names it (written before setup);
# the crashing test writes its pid first.
SUITE = """
import json, os, signal
import pytest

MARKER = os.environ.get("MARKER_TO_CHECK")

@pytest.fixture
def marker(request):
    if MARKER:
        path = MARKER.replace("{worker}", os.environ.get("PYTEST_XDIST_WORKER", "main"))
        with open(path) as f:
            assert json.load(f)["nodeid"] == request.node.nodeid
    return None

class TestGroup:
    @pytest.mark.parametrize("n", [1, 2])
    def test_param(self, marker, n):
        pass

def test_plain(marker):
    pass

def test_segv(marker):
    with open(os.environ["PID_FILE"], "w") as f:
        f.write(str(os.getpid()))
    os.kill(os.getpid(), signal.SIGSEGV)
"""


@pytest.fixture
def compat_env(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in COMPAT_VARIABLES:
        clean_env.delenv(name, raising=False)
    clean_env.setenv("PID_FILE", str(tmp_path / "pid"))
    return clean_env


def read_marker(path: Path) -> dict:
    text = path.read_text()
    marker = json.loads(text)
    assert list(marker) == MARKER_KEYS
    assert text == json.dumps(marker, indent=2)  # byte for byte what pytest-abort writes
    return marker


def assert_recent_local_time(text: str) -> None:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is None
    assert abs(datetime.now() - moment) < timedelta(minutes=5)


def crash_lines(path: Path) -> list:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line in lines:
        assert list(line) == LINE_KEYS
    return lines


def test_serial_segfault_leaves_the_marker_of_the_test_that_died(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
):
    marker = tmp_path / "logs" / "last_running.json"  # the directory is made
    compat_env.setenv("PYTEST_ABORT_LAST_RUNNING_FILE", str(marker))
    compat_env.setenv("MARKER_TO_CHECK", str(marker))
    compat_env.setenv("HIP_VISIBLE_DEVICES", "3")
    compat_env.setenv("PYTEST_ABORT_CRASHED_TESTS_LOG", str(tmp_path / "crashed.jsonl"))
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == -signal.SIGSEGV
    left = read_marker(marker)
    assert left["test_name"] == "test_segv"
    assert left["nodeid"] == "test_suite.py::test_segv"
    assert left["status"] == "running"
    assert left["pid"] == int((tmp_path / "pid").read_text())
    assert left["gpu_id"] == "3"
    assert_recent_local_time(left["start_time"])
    assert sorted(p.name for p in marker.parent.iterdir()) == ["last_running.json"]  # no temp
    # As with pytest-abort, a serial crash leaves only the marker: `blackbox run` logs it.
    assert not (tmp_path / "crashed.jsonl").exists()


def test_marker_is_deleted_after_each_clean_test(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
):
    marker = tmp_path / "last_running.json"
    compat_env.setenv("PYTEST_ABORT_LAST_RUNNING_FILE", str(marker))
    compat_env.setenv("MARKER_TO_CHECK", str(marker))
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN, "-k", "not segv")
    result.assert_outcomes(passed=3)
    assert list(tmp_path.glob("last_running*")) == []


def test_marker_names_gpu_unknown_without_hip_visible_devices(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
):
    marker = tmp_path / "m.json"
    compat_env.setenv("PYTEST_ABORT_LAST_RUNNING_FILE", str(marker))
    pytester.makepyfile(test_suite=SUITE)
    pytester.runpytest_subprocess(*PLUGIN, "-k", "segv")
    assert read_marker(marker)["gpu_id"] == "unknown"


def test_a_failing_test_or_ctrl_c_is_not_a_crash(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
):
    marker = tmp_path / "m.json"
    compat_env.setenv("PYTEST_ABORT_LAST_RUNNING_FILE", str(marker))
    pytester.makepyfile(
        """
        def test_fails():
            assert False

        def test_interrupted():
            raise KeyboardInterrupt
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert not marker.exists()


def test_last_running_dir_names_the_main_process_marker(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
):
    directory = tmp_path / "markers"
    compat_env.setenv("PYTEST_ABORT_LAST_RUNNING_DIR", str(directory))
    compat_env.setenv("MARKER_TO_CHECK", str(directory / "last_running_{worker}.json"))
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == -signal.SIGSEGV
    assert [p.name for p in directory.iterdir()] == ["last_running_main.json"]
    assert read_marker(directory / "last_running_main.json")["test_name"] == "test_segv"


@pytest.mark.parametrize(
    "env, options, expected",
    [
        ({"FILE": "env_file.json", "DIR": "env_dir"}, ["--last-running-file=opt.json"], "env_file"),
        ({"DIR": "env_dir"}, ["--last-running-file=opt.json"], "env_dir"),
        ({}, ["--last-running-file=opt.json", "--last-running-dir=opt_dir"], "opt_file"),
        ({}, ["--last-running-dir=opt_dir"], "opt_dir"),
    ],
)
def test_precedence_of_variables_and_options(
    pytester: pytest.Pytester,
    compat_env: pytest.MonkeyPatch,
    tmp_path: Path,
    env: dict,
    options: list,
    expected: str,
):
    for key, value in env.items():
        compat_env.setenv(f"PYTEST_ABORT_LAST_RUNNING_{key}", str(tmp_path / value))
    options = [option.replace("=", f"={tmp_path}/") for option in options]
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN, "-k", "segv", *options)
    assert result.ret == -signal.SIGSEGV
    where = {
        "env_file": tmp_path / "env_file.json",
        "env_dir": tmp_path / "env_dir" / "last_running_main.json",
        "opt_file": tmp_path / "opt.json",
        "opt_dir": tmp_path / "opt_dir" / "last_running_main.json",
    }
    assert read_marker(where[expected])["nodeid"] == "test_suite.py::test_segv"
    assert [name for name, path in where.items() if path.exists()] == [expected]


@pytest.mark.parametrize(
    "spelling",
    ["env", "option"],
)
def test_jax_rocm_spellings_of_the_older_variant(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path, spelling: str
):
    marker = tmp_path / "rocm.json"
    options = []
    if spelling == "env":
        compat_env.setenv("JAX_ROCM_LAST_RUNNING_FILE", str(marker))
    else:
        options = ["--rocm-last-running-file", str(marker)]
    compat_env.setenv("MARKER_TO_CHECK", str(marker))
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN, *options)
    assert result.ret == -signal.SIGSEGV
    assert read_marker(marker)["nodeid"] == "test_suite.py::test_segv"


class TestXdist:
    @pytest.fixture(autouse=True)
    def needs_xdist(self):
        pytest.importorskip("xdist")

    def test_per_worker_markers_and_a_crash_line_from_the_controller(
        self, pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
    ):
        directory = tmp_path / "last_running"
        log = tmp_path / "crashed_tests.jsonl"
        compat_env.setenv("PYTEST_ABORT_LAST_RUNNING_DIR", str(directory))
        compat_env.setenv("PYTEST_ABORT_CRASHED_TESTS_LOG", str(log))
        compat_env.setenv("MARKER_TO_CHECK", str(directory / "last_running_{worker}.json"))
        compat_env.setenv("HIP_VISIBLE_DEVICES", "1")
        pytester.makepyfile(test_suite=SUITE)
        result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2")
        result.assert_outcomes(passed=3, failed=1)  # xdist's own report of the crash
        pid = int((tmp_path / "pid").read_text())
        (line,) = crash_lines(log)
        worker = line["source"].split(":", 1)[1]
        assert line["source"] == f"xdist:{worker}" and worker in ("gw0", "gw1")
        assert line["nodeid"] == "test_suite.py::test_segv"
        assert line["test_name"] == "test_segv"
        assert line["test_class"] is None
        assert line["pid"] == str(pid)
        assert line["gpu_id"] == "1"
        assert isinstance(line["duration"], float) and 0 <= line["duration"] < 60
        assert "SIGSEGV" in line["reason"] and worker in line["reason"]
        assert_recent_local_time(line["crash_time"])
        assert_recent_local_time(line["logged_at"])
        # The dead worker's marker stays; the live ones were deleted after each test.
        assert [p.name for p in directory.iterdir()] == [f"last_running_{worker}.json"]
        assert read_marker(directory / f"last_running_{worker}.json")["pid"] == pid

    def test_jax_rocm_variables_under_xdist(
        self, pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
    ):
        directory = tmp_path / "rocm"
        log = tmp_path / "rocm_crashes.jsonl"
        compat_env.setenv("JAX_ROCM_LAST_RUNNING_DIR", str(directory))
        compat_env.setenv("JAX_ROCM_CRASHED_TESTS_LOG", str(log))
        compat_env.setenv("MARKER_TO_CHECK", str(directory / "last_running_{worker}.json"))
        pytester.makepyfile(test_suite=SUITE)
        result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2")
        result.assert_outcomes(passed=3, failed=1)
        (line,) = crash_lines(log)
        assert line["nodeid"] == "test_suite.py::test_segv"
        assert line["source"].startswith("xdist:gw")

    def test_a_crash_line_without_markers_comes_from_xdists_report(
        self, pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
    ):
        """pytest-abort needed the marker directory for a crash line; the crash log is enough."""
        log = tmp_path / "crashed.jsonl"
        compat_env.setenv("PYTEST_ABORT_CRASHED_TESTS_LOG", str(log))
        pytester.makepyfile(test_suite=SUITE)
        result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2", "-k", "segv or plain")
        result.assert_outcomes(passed=1, failed=1)
        (line,) = crash_lines(log)
        assert line["nodeid"] == "test_suite.py::test_segv"
        assert line["pid"] == (tmp_path / "pid").read_text()
        assert line["duration"] is None
        assert "SIGSEGV" in line["reason"]

    def test_a_test_in_a_class_names_its_class(
        self, pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
    ):
        log = tmp_path / "crashed.jsonl"
        compat_env.setenv("PYTEST_ABORT_CRASHED_TESTS_LOG", str(log))
        compat_env.setenv("PYTEST_ABORT_LAST_RUNNING_DIR", str(tmp_path / "m"))
        pytester.makepyfile(
            test_cls="""
            import os, pytest

            class TestNative:
                @pytest.mark.parametrize("size", ["big"])
                def test_abort(self, size):
                    os.abort()
            """
        )
        result = pytester.runpytest_subprocess(*PLUGIN, "-n", "1")
        result.assert_outcomes(failed=1)
        (line,) = crash_lines(log)
        assert line["test_name"] == "test_abort[big]"
        assert line["test_class"] == "TestNative"
        assert line["nodeid"] == "test_cls.py::TestNative::test_abort[big]"
        assert "SIGABRT" in line["reason"]


FAKE_PYTEST_ABORT = """
import os

def pytest_addoption(parser):
    group = parser.getgroup("abort-detector")
    group.addoption("--last-running-file", dest="abort_last_running_file", default=None)
    group.addoption("--last-running-dir", dest="abort_last_running_dir", default=None)

def pytest_runtest_logstart(nodeid, location):
    with open(os.environ["FAKE_ABORT_LOG"], "a") as f:
        f.write(nodeid + "\\n")
"""


@pytest.mark.parametrize("order", ["original_first", "original_last"])
def test_pytest_abort_installed_too_keeps_its_own_options_and_variables(
    pytester: pytest.Pytester,
    compat_env: pytest.MonkeyPatch,
    tmp_path: Path,
    order: str,
):
    """The original plugin keeps its options and PYTEST_ABORT_*; blackbox does not repeat it.

    Loaded before or after pytest-blackbox, no option is added twice (argparse would fail the
    run); the older variant's JAX_ROCM_* spelling, which it does not implement, still works.
    """
    package = pytester.mkpydir("pytest_abort")
    (package / "plugin.py").write_text(FAKE_PYTEST_ABORT)
    compat_env.setenv("FAKE_ABORT_LOG", str(tmp_path / "original.log"))
    compat_env.setenv("PYTEST_ABORT_LAST_RUNNING_FILE", str(tmp_path / "abort.json"))
    compat_env.setenv("JAX_ROCM_LAST_RUNNING_FILE", str(tmp_path / "rocm.json"))
    compat_env.setenv("PYTHONPATH", f"{pytester.path}{os.pathsep}{os.environ['PYTHONPATH']}")
    original = ("-p", "pytest_abort.plugin")
    if order == "original_first":
        args = (*original, *PLUGIN)
    else:
        compat_env.setenv("PYTEST_PLUGINS", "pytest_abort.plugin")  # loaded after -p
        args = PLUGIN
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess(*args, "-k", "segv", "--last-running-dir", "x")
    assert result.ret == -signal.SIGSEGV
    assert (tmp_path / "original.log").read_text() == "test_suite.py::test_segv\n"
    assert not (tmp_path / "abort.json").exists()  # the original's job (this fake skips it)
    assert read_marker(tmp_path / "rocm.json")["nodeid"] == "test_suite.py::test_segv"
    help_text = pytester.runpytest_subprocess(*args, "--help").stdout.str()
    assert help_text.count("--last-running-file") == 1
    assert help_text.count("--rocm-last-running-file") == 1


@pytest.mark.parametrize(
    "reads, handled_by_original, ours",
    [
        ("JAX_ROCM_LAST_RUNNING_FILE", "rocm.json", "abort.json"),
        ("PYTEST_ABORT_LAST_RUNNING_FILE", "abort.json", "rocm.json"),  # a later version
    ],
)
def test_older_package_installed_keeps_the_spelling_it_reads(
    pytester: pytest.Pytester,
    compat_env: pytest.MonkeyPatch,
    tmp_path: Path,
    reads: str,
    handled_by_original: str,
    ours: str,
):
    package = pytester.mkpydir("pytest_abort_plugin")
    (package / "plugin.py").write_text(f'ENV_LAST_RUNNING_FILE = "{reads}"\n')
    compat_env.setenv("PYTEST_ABORT_LAST_RUNNING_FILE", str(tmp_path / "abort.json"))
    compat_env.setenv("JAX_ROCM_LAST_RUNNING_FILE", str(tmp_path / "rocm.json"))
    compat_env.setenv("PYTHONPATH", f"{pytester.path}{os.pathsep}{os.environ['PYTHONPATH']}")
    pytester.makepyfile(test_suite=SUITE)
    args = ("-p", "pytest_abort_plugin.plugin", *PLUGIN, "-k", "segv")
    assert pytester.runpytest_subprocess(*args).ret == -signal.SIGSEGV
    assert not (tmp_path / handled_by_original).exists()  # the original's (this fake skips it)
    assert read_marker(tmp_path / ours)["nodeid"] == "test_suite.py::test_segv"
