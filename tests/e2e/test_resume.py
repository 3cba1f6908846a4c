"""--max-restarts finishes the suite after crashes; the reports cover every test once."""

import json
import signal
import xml.etree.ElementTree as ElementTree

import pytest

from conftest import load_report

SUITE = """
import ctypes
import os

import pytest

BODIES = os.path.join(os.path.dirname(__file__), "bodies.txt")

@pytest.mark.parametrize("n", range(1, 11))
def test_step(n):
    with open(BODIES, "a") as bodies:  # ground truth: every body that ran
        bodies.write(f"{n}\\n")
    if n == 4:
        ctypes.string_at(0)
    if n == 8:
        os.abort()
"""


def bodies(project):
    return [int(line) for line in (project.root / "bodies.txt").read_text().split()]


def check_junit(path, expected_tests):
    """The structure CI tools read: testsuites/testsuite with consistent counts; testcases with
    classname, name, time; at most one result element each."""
    root = ElementTree.parse(path).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases) == expected_tests
    kinds = {"failure": 0, "error": 0, "skipped": 0}
    for case in cases:
        assert case.get("classname") and case.get("name") and float(case.get("time")) >= 0
        results = [child for child in case if child.tag in kinds]
        assert len(results) <= 1
        for child in results:
            kinds[child.tag] += 1
            assert child.get("message") is not None
    assert int(suite.get("failures")) == kinds["failure"]
    assert int(suite.get("errors")) == kinds["error"]
    assert int(suite.get("skipped")) == kinds["skipped"]
    return suite, cases


@pytest.mark.parametrize(
    "xdist", [pytest.param(False, marks=pytest.mark.versions), True], ids=["serial", "xdist"]
)
def test_a_suite_with_two_crashes_completes_and_no_body_runs_twice(project, xdist):
    if xdist:
        pytest.importorskip("xdist")
    project.write("test_r.py", SUITE)
    args = ["-n", "2"] if xdist else []
    result = project.run(
        "test_r.py",
        *args,
        options=[
            "--max-restarts",
            "5",
            "--junitxml",
            "out/junit.xml",
            "--json",
            "out/report.json",
            "--md",
            "out/summary.md",
        ],
    )
    assert result.returncode == 1  # the suite completed, with crashes
    assert sorted(bodies(project)) == list(range(1, 11))  # each body exactly once
    report = load_report(project.root / "out/report.json")
    assert report["summary"]["passed"] == 8 and report["summary"]["crashed"] == 2
    assert report["summary"]["not_run"] == 0
    crashed = {t["nodeid"]: t["crash"]["cause"] for t in report["tests"] if t["crash"]}
    assert crashed == {"test_r.py::test_step[4]": "segfault", "test_r.py::test_step[8]": "abort"}
    suite, cases = check_junit(project.root / "out/junit.xml", 10)
    errors = {c.get("name"): c.find("error") for c in cases if c.find("error") is not None}
    assert set(errors) == {"test_step[4]", "test_step[8]"}
    assert "segfault (SIGSEGV)" in errors["test_step[4]"].get("message")
    assert "in test_step" in errors["test_step[4]"].text
    summary = (project.root / "out/summary.md").read_text()
    assert "`test_r.py::test_step[4]`" in summary and "segfault (SIGSEGV)" in summary
    if not xdist:
        assert "restarting" in result.stderr
        assert report["attempts"] == 3


def test_the_restarts_deselections_are_not_counted_as_the_users(project):
    project.write("test_r.py", SUITE)
    result = project.run(
        "test_r.py", "-k", "not 10", options=["--max-restarts", "3", "--json", "r.json"]
    )
    assert result.returncode == 1
    report = load_report(project.root / "r.json")
    # The user deselected one test; the last restart skipped the 8 that attempts 1 and 2 ran.
    assert report["summary"]["deselected"] == 1
    assert report["summary"]["resume_deselected"] == 8
    assert project.show()["tests"]["deselected"] == 1


def test_restarts_run_out_and_the_last_death_is_the_status(project):
    project.write("test_r.py", SUITE)
    result = project.run("test_r.py", options=["--max-restarts", "1", "--junitxml", "j.xml"])
    assert result.returncode == 128 + signal.SIGABRT
    suite, cases = check_junit(project.root / "j.xml", 10)
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert len(skipped) == 2  # tests 9 and 10 were never reached
    assert "not run" in skipped[0].find("skipped").get("message")


def test_a_collection_crash_stops_with_a_clear_message(project):
    project.write("test_ok.py", "def test_ok():\n    pass\n")
    project.write("test_bad.py", "import ctypes\nctypes.string_at(0)\n")
    result = project.run(options=["--max-restarts", "3"])
    assert result.returncode == 128 + signal.SIGSEGV
    assert "a crash during collection cannot be skipped by restarting" in result.stderr
    assert json.loads(project.blackbox("show", "--json").stdout)["attempts"] == 1


def test_reports_are_regenerated_from_a_run_whose_supervisor_was_killed(project):
    project.write("test_r.py", SUITE)
    project.run("test_r.py")
    (project.latest / "end.json").unlink()  # as if the supervisor died with pytest
    result = project.blackbox("report", "--junitxml", "late.xml", "--json", "late.json")
    assert result.returncode == 0, result.stderr
    check_junit(project.root / "late.xml", 10)
    late = load_report(project.root / "late.json")
    assert late["status"] == "incomplete" and late["summary"]["passed"] == 3
    assert project.blackbox("report").returncode == 4  # no report named
