"""A command that runs pytest more than once (`bash -c "pytest a; pytest b"`): each pytest
session keeps its own entry of a node id, in the order the sessions ran, in every output."""

import shlex
import signal
import sqlite3
import xml.etree.ElementTree as ET

from conftest import load_report, report_data

# The same node ids in both sessions; SESSION=b makes the second one fail and crash.
SUITE = """\
import ctypes, os

def test_same():
    assert os.environ.get("SESSION") != "b"

def test_crash_in_b():
    if os.environ.get("SESSION") == "b":
        ctypes.string_at(0)

def test_only_passes():
    pass
"""


def two_sessions(project, second_args=""):
    """`bash -c "pytest test_s.py; SESSION=b pytest [second_args] test_s.py"`."""
    pytest = " ".join(shlex.quote(word) for word in project.pytest_command())
    script = f"{pytest} test_s.py; SESSION=b {pytest} {second_args} test_s.py"
    return ["bash", "-c", script]


def entries(report):
    return [(test.get("session"), test["nodeid"], test["outcome"]) for test in report["tests"]]


def test_two_sessions_keep_their_own_entries_in_every_report(project):
    project.write("test_s.py", SUITE)
    result = project.run(
        command=two_sessions(project),
        options=["--json", "r.json", "--junitxml", "j.xml", "--md", "s.md", "--html", "r.html"],
    )
    # The command's status is the last pytest's: it died of the segfault.
    assert result.returncode == 128 + signal.SIGSEGV, result.stderr
    report = load_report(project.root / "r.json")
    assert report["sessions"] == 2
    assert entries(report) == [
        (1, "test_s.py::test_same", "passed"),
        (1, "test_s.py::test_crash_in_b", "passed"),
        (1, "test_s.py::test_only_passes", "passed"),
        (2, "test_s.py::test_same", "failed"),
        (2, "test_s.py::test_crash_in_b", "crashed"),
        (2, "test_s.py::test_only_passes", "not_run"),
    ]
    summary = report["summary"]
    assert (summary["collected"], summary["passed"], summary["failed"], summary["crashed"]) == (
        6,
        3,
        1,
        1,
    )
    assert summary["not_run"] == 1
    (crash,) = report["crashes"]
    assert (crash["nodeid"], crash["session"], crash["cause"]) == (
        "test_s.py::test_crash_in_b",
        2,
        "segfault",
    )
    crashed = [test for test in report["tests"] if test["outcome"] == "crashed"]
    assert crashed[0]["crash"]["session"] == 2

    # JUnit: a suite per session, each with its own counts.
    root = ET.parse(project.root / "j.xml").getroot()
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == ["pytest (session 1)", "pytest (session 2)"]
    first, second = suites
    assert (first.get("tests"), first.get("failures"), first.get("errors")) == ("3", "0", "0")
    assert (second.get("tests"), second.get("failures"), second.get("errors")) == ("3", "1", "1")
    assert second.find("testcase[@name='test_crash_in_b']/error").get("type") == "crash"

    # The post-mortem names the session that died; the Markdown and HTML name it too.
    show = project.blackbox("show")
    assert "session   2 of 2" in show.stdout, show.stdout
    assert "test_s.py::test_crash_in_b died in call" in show.stdout
    assert "`test_s.py::test_crash_in_b` (session 2)" in (project.root / "s.md").read_text()
    data = report_data(project.root / "r.html")
    assert data["tests"]["session"] == [1, 1, 1, 2, 2, 2]
    assert [crash["session"] for crash in data["crashes"]] == [2]

    # The database keeps both sessions' rows of a node id: the second's named so.
    database = project.root / ".blackbox" / "metrics.db"
    with sqlite3.connect(database) as connection:
        stored = sorted(connection.execute("SELECT nodeid, outcome FROM blackbox_tests"))
        crashes = list(connection.execute("SELECT nodeid FROM blackbox_crashes"))
    assert stored == [
        ("test_s.py::test_crash_in_b", "passed"),
        ("test_s.py::test_crash_in_b (session 2)", "crashed"),
        ("test_s.py::test_only_passes", "passed"),
        ("test_s.py::test_same", "passed"),
        ("test_s.py::test_same (session 2)", "failed"),
    ]
    assert crashes == [("test_s.py::test_crash_in_b (session 2)",)]
    # `blackbox ingest` stores the same rows.
    again = project.blackbox("ingest", "--db", "again.db", str(project.latest))
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(project.root / "again.db") as connection:
        assert sorted(connection.execute("SELECT nodeid, outcome FROM blackbox_tests")) == stored


def test_a_session_under_xdist_takes_its_workers(project):
    """The second session runs under xdist: its workers' results are its own, not the first
    session's, though the node ids are the same."""
    project.write("test_s.py", SUITE)
    result = project.run(
        command=two_sessions(project, "-n 2"), options=["--json", "r.json"], timeout=240
    )
    assert result.returncode in (0, 1), result.stderr  # xdist replaced the crashed worker
    report = load_report(project.root / "r.json")
    assert report["sessions"] == 2
    found = entries(report)
    assert found[:3] == [
        (1, "test_s.py::test_same", "passed"),
        (1, "test_s.py::test_crash_in_b", "passed"),
        (1, "test_s.py::test_only_passes", "passed"),
    ], found
    assert sorted(found[3:]) == [
        (2, "test_s.py::test_crash_in_b", "crashed"),
        (2, "test_s.py::test_only_passes", "passed"),
        (2, "test_s.py::test_same", "failed"),
    ], found
    assert all(test["worker"] is None for test in report["tests"][:3])
    assert all(test["worker"] for test in report["tests"][3:])
    (crash,) = report["crashes"]
    assert crash["session"] == 2 and crash["worker"], crash
    assert (report["summary"]["passed"], report["summary"]["failed"]) == (4, 1)


def test_a_run_of_one_session_names_none(project):
    """One pytest session: the outputs keep the shape they always had."""
    project.write("test_s.py", SUITE)
    project.run("test_s.py", options=["--json", "r.json", "--junitxml", "j.xml"])
    report = load_report(project.root / "r.json")
    assert "sessions" not in report
    assert all("session" not in test for test in report["tests"])
    assert all("session" not in crash for crash in report["crashes"])
    suites = ET.parse(project.root / "j.xml").getroot().findall("testsuite")
    assert [suite.get("name") for suite in suites] == ["pytest"]


def test_a_restart_resumes_each_session_on_its_own_tests(project):
    """The second session dies; the restart runs the whole command again, and each session
    skips only what it ran itself: the second runs the test the first had finished too."""
    project.write("test_s.py", SUITE)
    result = project.run(
        command=two_sessions(project), options=["--max-restarts", "1", "--json", "r.json"]
    )
    assert "restarting" in result.stderr, result.stderr
    report = load_report(project.root / "r.json")
    assert report["attempts"] == 2
    assert [(test["session"], test["outcome"], test["attempt"]) for test in report["tests"]] == [
        (1, "passed", 1),
        (1, "passed", 1),
        (1, "passed", 1),
        (2, "failed", 1),
        (2, "crashed", 1),
        (2, "passed", 2),  # test_only_passes: run by the second session's restart
    ]
    assert report["summary"]["not_run"] == 0
    assert result.returncode == 1, result.stderr  # the suite completed, with a failure
