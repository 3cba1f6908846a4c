"""A crashed test's duration runs from its start to its death: a test killed after working for a
second did not take a millisecond (its phase in flight never wrote an end)."""

import re
import signal
import sqlite3
import subprocess
import sys

import pytest

from conftest import load_report

DIES_LATE = """
import os
import signal
import time

def test_before():
    pass

def test_works_then_dies():
    time.sleep(1.2)
    os.kill(os.getpid(), signal.SIGKILL)

def test_after():
    pass
"""

WORKED_S = 1.2  # the test's own sleep: a lower bound of its duration, whatever the machine


def junit_time(path, name):
    match = re.search(rf'name="{name}"[^>]*time="([0-9.]+)"', path.read_text())
    assert match, path.read_text()
    return float(match.group(1))


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_test_killed_after_a_second_lasted_a_second(project, workers):
    project.write("test_d.py", DIES_LATE)
    result = project.run(
        "test_d.py",
        *workers,
        options=["--json", "report.json", "--junitxml", "junit.xml"],
    )
    assert result.returncode != 0
    tests = {t["nodeid"]: t for t in load_report(project.root / "report.json")["tests"]}
    died = tests["test_d.py::test_works_then_dies"]
    assert died["outcome"] == "crashed"
    assert died["crash"]["phase"] == "call"
    # Up to its death, and not much past it (the run itself ends within the timeout).
    assert WORKED_S <= died["call_duration_s"] <= died["duration_s"] < 60
    assert junit_time(project.root / "junit.xml", "test_works_then_dies") >= WORKED_S
    assert tests["test_d.py::test_before"]["duration_s"] < WORKED_S


def test_plugin_mode_dates_a_workers_death_and_the_run(project, blackbox_bin):
    """`pytest --blackbox -n 2`: no supervisor, the xdist controller's record of the worker's
    death dates it; the run's own duration comes from its journals (no end.json)."""
    project.write("test_d.py", DIES_LATE)
    plugin = blackbox_bin.parent.parent / "share" / "blackbox" / "python"
    env = project.env({"PYTHONPATH": str(plugin), "PYTEST_PLUGINS": "pytest_blackbox.plugin"})
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--blackbox", "-q"]
    subprocess.run(
        command + ["-n", "2", "test_d.py"],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert project.blackbox("report", "--json", "report.json").returncode == 0
    tests = {t["nodeid"]: t for t in load_report(project.root / "report.json")["tests"]}
    died = tests["test_d.py::test_works_then_dies"]
    assert died["outcome"] == "crashed"
    assert WORKED_S <= died["duration_s"] < 60
    stored = project.blackbox("ingest", "--db", "m.db", str(project.latest))
    assert stored.returncode == 0, stored.stderr
    with sqlite3.connect(project.root / "m.db") as db:
        ((run_s,),) = db.execute("SELECT duration_s FROM blackbox_runs").fetchall()
        ((total_s,),) = db.execute(
            "SELECT total_s FROM blackbox_tests WHERE nodeid = 'test_d.py::test_works_then_dies'"
        ).fetchall()
    assert WORKED_S <= total_s < 60
    assert WORKED_S <= run_s < 120


def test_a_memory_kill_dates_the_climb(project):
    """A test that allocates for a while before the watchdog kills it at the limit."""
    project.write(
        "test_m.py",
        """
        import time

        def test_climbs():
            chunks = []
            while True:
                chunk = bytearray(16 << 20)
                for offset in range(0, len(chunk), 4096):
                    chunk[offset] = 1
                chunks.append(chunk)
                time.sleep(0.1)
        """,
    )
    result = project.run(
        "test_m.py",
        options=["--memory-max", "300M", "--memory-watchdog", "--json", "report.json"],
    )
    assert result.returncode == 128 + signal.SIGKILL
    (test,) = load_report(project.root / "report.json")["tests"]
    assert test["crash"]["cause"] == "memory_limit"
    # At least ~15 chunks of 16 MiB, each after a 0.1 s pause, before the 300 MiB limit.
    assert 1.0 <= test["duration_s"] < 120
