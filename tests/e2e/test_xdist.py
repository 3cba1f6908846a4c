"""Crashes inside pytest-xdist workers: the worker, the phase and the other results are kept."""

import pytest

from conftest import only_crash

pytest.importorskip("xdist")

SUITE = """
import ctypes
import os
import time
import pytest

@pytest.mark.parametrize("n", range(6))
def test_fine(n):
    time.sleep(0.05)

def test_segv_in_worker():
    time.sleep(0.1)
    ctypes.string_at(0)

@pytest.fixture
def broken_teardown():
    yield
    os.abort()

def test_teardown_abort(broken_teardown):
    pass
"""


@pytest.mark.parametrize(
    "dist", [pytest.param("load", marks=pytest.mark.versions), "loadfile", "loadscope", "loadgroup"]
)
def test_a_worker_segfault_is_attributed_to_its_worker_and_phase(project, dist):
    """Under every --dist mode, and run once: xdist's scope schedulers would re-queue it."""
    project.write("test_x.py", SUITE.replace("def test_teardown_abort", "def _unused"))
    result = project.run("-n", "2", "--dist", dist, "test_x.py", timeout=240)
    report = project.show()
    assert report["status"] == "crashed", result.stdout + result.stderr
    crash = only_crash(report)
    assert crash["nodeid"] == "test_x.py::test_segv_in_worker"
    assert crash["phase"] == "call"
    assert crash["worker"] and crash["worker"].startswith("gw")
    assert crash["signal"] == "SIGSEGV"
    assert crash["cause"] == "segfault"
    assert "in test_segv_in_worker" in crash["traceback"]
    # Every other test's result is kept.
    assert report["tests"]["passed"] == 6
    assert report["tests"]["crashed"] == 1


def test_a_teardown_crash_in_a_worker_is_counted_once_in_teardown(project):
    project.write("test_y.py", SUITE.replace("def test_segv_in_worker", "def _unused"))
    project.run("-n", "2", "test_y.py", timeout=240)
    report = project.show()
    crash = only_crash(report)
    assert (crash["nodeid"], crash["phase"], crash["cause"]) == (
        "test_y.py::test_teardown_abort",
        "teardown",
        "abort",
    )
    assert report["tests"]["crashed"] == 1
    assert report["tests"]["passed"] == 6
    assert report["tests"]["failed"] == 0


def test_a_module_that_crashes_on_import_under_xdist_is_named_once(project):
    project.write("test_ok.py", "def test_ok():\n    pass\n")
    project.write("test_bad.py", "import ctypes\nctypes.string_at(0)\n")
    project.run("-n", "2", timeout=240)
    report = project.show()
    collect = [c for c in report["crashes"] if c["phase"] == "collect"]
    assert len(collect) == 1, report["crashes"]
    assert collect[0]["module"] == "test_bad.py"
    assert collect[0]["cause"] == "segfault"


def test_dist_each_keeps_every_workers_result_of_a_test(project):
    """Under --dist each every worker runs every test: each worker's result is its own entry,
    naming its worker, in every report; a crash in one worker marks that worker's entry only."""
    import xml.etree.ElementTree as ET

    from conftest import load_report

    project.write(
        "test_e.py",
        "import ctypes, os, pytest\n"
        "def test_ok():\n    pass\n"
        "def test_fails_in_gw1():\n    assert os.environ['PYTEST_XDIST_WORKER'] != 'gw1'\n"
        "def test_segv_in_gw0():\n"
        "    if os.environ['PYTEST_XDIST_WORKER'] == 'gw0':\n        ctypes.string_at(0)\n",
    )
    project.run(
        "-n",
        "2",
        "--dist",
        "each",
        "test_e.py",
        options=["--json", "r.json", "--junitxml", "j.xml"],
        timeout=240,
    )
    report = load_report(project.root / "r.json")
    entries = {(test["nodeid"], test["worker"]): test["outcome"] for test in report["tests"]}
    # gw0 died in test_segv_in_gw0; xdist's replacement worker runs what gw0 had left.
    assert entries[("test_e.py::test_segv_in_gw0", "gw0")] == "crashed", entries
    assert entries[("test_e.py::test_segv_in_gw0", "gw1")] == "passed", entries
    assert entries[("test_e.py::test_fails_in_gw1", "gw1")] == "failed", entries
    assert entries[("test_e.py::test_ok", "gw1")] == "passed", entries
    assert entries[("test_e.py::test_ok", "gw0")] == "passed", entries
    assert report["summary"]["crashed"] == 1
    assert report["summary"]["failed"] == 1
    root = ET.parse(project.root / "j.xml").getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    workers = {
        (case.get("name"), prop.get("value"))
        for case in suite.iter("testcase")
        for prop in case.iter("property")
        if prop.get("name") == "blackbox.worker"
    }
    assert ("test_ok", "gw0") in workers and ("test_ok", "gw1") in workers, workers
    # The database keeps every worker's row, named after its worker; the crash names its row.
    import sqlite3

    with sqlite3.connect(project.root / ".blackbox" / "metrics.db") as connection:
        stored = dict(connection.execute("SELECT nodeid, outcome FROM blackbox_tests"))
        crashes = [row[0] for row in connection.execute("SELECT nodeid FROM blackbox_crashes")]
    assert stored["test_e.py::test_ok [gw0]"] == "passed", stored
    assert stored["test_e.py::test_ok [gw1]"] == "passed", stored
    assert stored["test_e.py::test_fails_in_gw1 [gw1]"] == "failed", stored
    assert stored["test_e.py::test_segv_in_gw0 [gw0]"] == "crashed", stored
    assert crashes == ["test_e.py::test_segv_in_gw0 [gw0]"]


def test_a_restart_under_dist_each_runs_again_what_a_worker_had_not_finished(project):
    """Under --dist each the controller dies (a test kills it) while gw1 lags behind gw0: the
    restart cannot send a test to gw1 alone, so every test some worker had not finished runs
    again on every worker; what gw0 finished there is kept as its latest result."""
    from conftest import load_report

    project.write(
        "test_e.py",
        "import os, pathlib, signal, time\n"
        "FIRST = not pathlib.Path('attempt-1-done').exists()\n"
        "WORKER = os.environ['PYTEST_XDIST_WORKER']\n"
        "def test_lag():\n"
        "    if FIRST and WORKER == 'gw1':\n        time.sleep(30)\n"
        "def test_done_by_gw0():\n    pass\n"
        "def test_kill_controller():\n"
        "    if FIRST and WORKER == 'gw0':\n"
        "        pathlib.Path('attempt-1-done').touch()\n"
        "        os.kill(os.getppid(), signal.SIGKILL)\n        time.sleep(30)\n"
        "def test_after():\n    pass\n",
    )
    result = project.run(
        "-n",
        "2",
        "--dist",
        "each",
        "test_e.py",
        options=["--max-restarts", "1", "--json", "r.json"],
        timeout=240,
    )
    assert "restarting" in result.stderr, result.stderr
    report = load_report(project.root / "r.json")
    assert report["attempts"] == 2
    found = {}
    for test in report["tests"]:
        found.setdefault((test["nodeid"].split("::")[1], test["worker"]), []).append(
            (test["outcome"], test["attempt"])
        )
    # gw0 had finished test_done_by_gw0, gw1 had not reached it: both run it again.
    assert found[("test_done_by_gw0", "gw0")] == [("passed", 2)], found
    assert found[("test_done_by_gw0", "gw1")] == [("passed", 2)], found
    assert found[("test_after", "gw0")] == [("passed", 2)], found
    assert found[("test_after", "gw1")] == [("passed", 2)], found
    # Every test has one entry per worker, and none is left not run.
    assert sorted(found) == sorted(
        (name, worker)
        for name in ("test_lag", "test_done_by_gw0", "test_kill_controller", "test_after")
        for worker in ("gw0", "gw1")
    ), found
    assert report["summary"]["not_run"] == 0, found
