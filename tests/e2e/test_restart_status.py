"""--max-restarts: a suite whose last test crashed completed, and its status is the suite's."""

import signal

import pytest

from conftest import load_report

LAST_CRASHES = """
import ctypes
import os

import pytest

@pytest.mark.parametrize("n", range(1, 4))
def test_step(n):
    if n == {first}:
        os.abort()
    if n == 3:
        ctypes.string_at(0)
"""


@pytest.mark.parametrize(
    "first, attempts", [(0, 1), (1, 2)], ids=["in-the-first-attempt", "after-a-restart"]
)
def test_a_crash_of_the_last_test_completes_the_suite_with_status_1(project, first, attempts):
    project.write("test_last.py", LAST_CRASHES.format(first=first))
    result = project.run("test_last.py", options=["--max-restarts", "3", "--json", "r.json"])
    assert "not restarting: no test is left to run" in result.stderr
    assert result.returncode == 1, result.stderr  # not 139: every test has its outcome
    report = load_report(project.root / "r.json")
    assert report["summary"]["not_run"] == 0
    assert project.show()["attempts"] == attempts


def test_without_restarts_the_death_stays_the_status(project):
    project.write("test_last.py", LAST_CRASHES.format(first=0))
    result = project.run("test_last.py")
    assert result.returncode == 128 + signal.SIGSEGV
