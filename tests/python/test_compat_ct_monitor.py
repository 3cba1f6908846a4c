"""ct-pytest-monitor's checkpoint: CT_PYTEST_CHECKPOINT gets each node id once, before setup."""

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import List

import pytest
from test_compat_pytest_abort import COMPAT_VARIABLES

PLUGIN = ("-p", "pytest_blackbox.plugin")
SUITE = """
import os, signal
import pytest

@pytest.fixture
def checkpointed(request):
    # Setup runs after the checkpoint: the last line is this test (one of the lines
    # under xdist, whose workers share the file), without xdist's `@group` suffix.
    with open(os.environ["CT_PYTEST_CHECKPOINT"]) as f:
        lines = f.read().splitlines()
    recent = lines if os.environ.get("PYTEST_XDIST_WORKER") else lines[-1:]
    assert request.node.nodeid.split("@")[0] in recent
    yield

@pytest.mark.parametrize("n", range(3))
def test_many(checkpointed, n):
    pass

class TestK:
    def test_in_class(self, checkpointed):
        pass

@pytest.mark.xdist_group("together")
def test_grouped(checkpointed):
    pass
"""
NODEIDS = [
    "test_suite.py::test_many[0]",
    "test_suite.py::test_many[1]",
    "test_suite.py::test_many[2]",
    "test_suite.py::TestK::test_in_class",
    "test_suite.py::test_grouped",
]


@pytest.fixture
def compat_env(clean_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in COMPAT_VARIABLES:
        clean_env.delenv(name, raising=False)
    return clean_env


class Tail:
    """`tail -F` on the checkpoint while pytest runs, as a user's watcher script would."""

    def __init__(self, path: Path) -> None:
        self.lines: List[str] = []
        self.process = subprocess.Popen(
            ["tail", "-F", "-n", "+1", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def stop_after(self, count: int, timeout_s: float = 10.0) -> List[str]:
        deadline = time.monotonic() + timeout_s
        while len(self.lines) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # anything more would be a duplicate
        self.process.terminate()
        self.process.wait()
        self.reader.join(5)
        return list(self.lines)


def test_each_node_id_once_in_order_and_before_setup(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
):
    checkpoint = tmp_path / "logs" / "checkpoint.log"  # the directory is made
    compat_env.setenv("CT_PYTEST_CHECKPOINT", str(checkpoint))
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=5)
    assert checkpoint.read_text() == "".join(f"{nodeid}\n" for nodeid in NODEIDS)


def test_tail_of_the_checkpoint_names_the_test_killed(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
):
    checkpoint = tmp_path / "checkpoint.log"
    checkpoint.write_text("")  # ct-pytest-monitor's wrapper made it; lines are appended
    compat_env.setenv("CT_PYTEST_CHECKPOINT", str(checkpoint))
    pytester.makepyfile(
        test_suite=SUITE
        + """
def test_oom_killed():
    os.kill(os.getpid(), signal.SIGKILL)

def test_never_reached():
    pass
"""
    )
    tail = Tail(checkpoint)
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == -signal.SIGKILL
    seen = tail.stop_after(len(NODEIDS) + 1)
    assert seen == NODEIDS + ["test_suite.py::test_oom_killed"]
    assert checkpoint.read_text().splitlines()[-1] == "test_suite.py::test_oom_killed"


@pytest.mark.parametrize("dist", ["load", "loadgroup"])
def test_under_xdist_each_node_id_once_from_the_worker_that_ran_it(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path, dist: str
):
    pytest.importorskip("xdist")
    checkpoint = tmp_path / "checkpoint.log"
    compat_env.setenv("CT_PYTEST_CHECKPOINT", str(checkpoint))
    pytester.makepyfile(test_suite=SUITE)
    tail = Tail(checkpoint)
    result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2", "--dist", dist)
    result.assert_outcomes(passed=5)
    seen = tail.stop_after(len(NODEIDS))
    assert sorted(seen) == sorted(NODEIDS)  # no `@together` suffix, no controller's copy
    assert sorted(checkpoint.read_text().splitlines()) == sorted(NODEIDS)


def test_checkpoint_costs_an_fsync_per_test(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
):
    """ct-pytest-monitor fsync'd every line; so does the compat checkpoint (in process)."""
    checkpoint = tmp_path / "checkpoint.log"
    compat_env.setenv("CT_PYTEST_CHECKPOINT", str(checkpoint))
    synced = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}") == str(checkpoint):
            synced.append(fd)
        real_fsync(fd)

    compat_env.setattr(os, "fsync", counting_fsync)
    pytester.makepyfile(test_suite=SUITE)
    pytester.syspathinsert()
    result = pytester.runpytest_inprocess(*PLUGIN)
    result.assert_outcomes(passed=5)
    assert len(synced) == len(NODEIDS)
    assert checkpoint.read_text().count("\n") == len(NODEIDS)


def test_unwritable_checkpoint_warns_and_the_tests_run(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path
):
    (tmp_path / "file").write_text("")
    compat_env.setenv("CT_PYTEST_CHECKPOINT", str(tmp_path / "file" / "checkpoint.log"))
    pytester.makepyfile("def test_one():\n    pass\n")
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=1)
    result.stderr.fnmatch_lines(["pytest-blackbox: cannot open CT_PYTEST_CHECKPOINT *"])


@pytest.mark.parametrize("spelling", ["literal", "constant"])
def test_the_projects_own_ct_hook_is_not_doubled(
    pytester: pytest.Pytester, compat_env: pytest.MonkeyPatch, tmp_path: Path, spelling: str
):
    """A project that kept ct-pytest-monitor's conftest hook still gets one line per test."""
    checkpoint = tmp_path / "checkpoint.log"
    compat_env.setenv("CT_PYTEST_CHECKPOINT", str(checkpoint))
    variable = '"CT_PYTEST_CHECKPOINT"' if spelling == "literal" else "CHECKPOINT_VARIABLE"
    sub = pytester.mkpydir("sub")
    (sub / "conftest.py").write_text(
        f"""
import os

CHECKPOINT_VARIABLE = "CT_PYTEST_CHECKPOINT"

def pytest_runtest_logstart(nodeid, location):
    path = os.environ.get({variable})
    if path:
        with open(path, "a") as f:
            f.write(nodeid + "\\n")
            f.flush()
            os.fsync(f.fileno())
"""
    )
    (sub / "test_sub.py").write_text("def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=2)
    assert checkpoint.read_text() == "sub/test_sub.py::test_a\nsub/test_sub.py::test_b\n"
