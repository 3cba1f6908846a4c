"""The user's own reports across restarts: `--max-restarts` runs pytest several times, each
writing its --junitxml anew (and one that dies, not at all); the file at the user's path ends up
holding every test of the suite, crashes included, and each attempt's own file is kept."""

import xml.etree.ElementTree as ElementTree

SUITE = """
import ctypes
import os

import pytest

@pytest.mark.parametrize("n", range(1, 13))
def test_step(n):
    if n == 3:
        assert n == 0, "three is not zero"
    if n == 4:
        pytest.skip("four is skipped")
    if n == 5:
        ctypes.string_at(0)  # segfault: attempt 1 dies here
    if n == 9:
        os.abort()  # attempt 2 dies here

@pytest.mark.xfail(reason="known")
def test_expected():
    assert False
"""

STALE = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0"
failures="0" skipped="0" tests="1" time="0.1"><testcase classname="test_old" name="test_gone"
time="0.1"/></testsuite></testsuites>
"""


def cases_of(path):
    (suite,) = ElementTree.parse(path).getroot().findall("testsuite")
    return suite, {c.get("name"): c for c in suite.findall("testcase")}


def outcome(case):
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            return tag
    return "passed"


def test_a_restarted_run_leaves_every_test_in_the_users_own_junit_file(project):
    project.write("test_r.py", SUITE)
    project.write("out/pytest.xml", STALE)  # an earlier run's file: not this run's
    result = project.run("test_r.py", "--junitxml=out/pytest.xml", options=["--max-restarts", "2"])
    assert result.returncode == 1, result.stderr
    assert "out/pytest.xml completed (pytest ran 3 times" in result.stderr
    suite, cases = cases_of(project.root / "out/pytest.xml")
    names = [c.get("name") for c in suite.findall("testcase")]
    expected = [f"test_step[{n}]" for n in range(1, 13)] + ["test_expected"]
    assert names == expected  # every test once, in collection order; the stale one is gone
    outcomes = {name: outcome(case) for name, case in cases.items()}
    assert outcomes == {
        **{name: "passed" for name in expected},
        "test_step[3]": "failure",
        "test_step[4]": "skipped",
        "test_step[5]": "error",
        "test_step[9]": "error",
        "test_expected": "skipped",
    }
    # The failure recorded in attempt 1, whose pytest wrote no report, keeps its text.
    failure = cases["test_step[3]"].find("failure")
    assert "three is not zero" in failure.get("message") and "assert 3 == 0" in failure.text
    assert cases["test_step[4]"].find("skipped").get("message") == "four is skipped"
    assert cases["test_expected"].find("skipped").get("type") == "pytest.xfail"
    crash = cases["test_step[5]"].find("error")
    assert crash.get("message") == "crashed in call: segfault (SIGSEGV)"
    assert "in test_step" in crash.text
    assert cases["test_step[9]"].find("error").get("message") == "crashed in call: abort (SIGABRT)"
    counts = {key: int(suite.get(key)) for key in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": 13, "failures": 1, "errors": 2, "skipped": 2}
    # What pytest itself wrote, in the one attempt that finished, is kept as it was.
    kept = project.latest / "reports" / "3-junit.xml"
    _, last = cases_of(kept)
    assert sorted(last) == sorted(["test_expected"] + [f"test_step[{n}]" for n in range(10, 13)])
    assert not (project.latest / "reports" / "1-junit.xml").exists()  # attempt 1 wrote none
    # A second look changes nothing: postprocess finds the crashes already there.
    again = project.blackbox(
        "postprocess", "--run-dir", str(project.latest), "--junitxml", "out/pytest.xml"
    )
    assert again.returncode == 0 and "unchanged (2 crashed tests already reported)" in again.stdout


def test_a_single_attempt_that_dies_leaves_a_complete_file_too(project):
    project.write("test_r.py", SUITE)
    result = project.run("test_r.py", "--junitxml=pytest.xml")
    assert result.returncode == 139
    assert "pytest.xml completed (pytest did not finish its session)" in result.stderr
    suite, cases = cases_of(project.root / "pytest.xml")
    assert len(cases) == 13
    assert cases["test_step[5]"].find("error").get("message").startswith("crashed in call")
    never = cases["test_step[6]"].find("skipped")
    assert never.get("type") == "blackbox.not_run"
    assert never.get("message") == "not run: pytest died before reaching it"


def test_a_run_that_finished_leaves_the_users_file_as_pytest_wrote_it(project):
    project.write("test_ok.py", "def test_a():\n    pass\n\ndef test_b():\n    assert 0\n")
    result = project.run("test_ok.py", "--junitxml=pytest.xml", options=["--max-restarts", "2"])
    assert result.returncode == 1
    assert "completed" not in result.stderr
    assert not (project.latest / "reports").exists()
    _, cases = cases_of(project.root / "pytest.xml")
    assert sorted(cases) == ["test_a", "test_b"]


REPORT_LOG = """
import json
import os

import pytest

def pytest_addoption(parser):
    parser.addoption("--report-log", dest="reportlog")

def pytest_sessionfinish(session):
    path = session.config.option.reportlog
    if path:
        with open(path, "w") as log:
            log.write(json.dumps({"pid": os.getpid()}) + "\\n")
"""


def test_a_report_that_cannot_be_merged_is_warned_about(project):
    project.write("conftest.py", REPORT_LOG)  # writes as pytest-reportlog's option names it
    project.write("test_r.py", SUITE)
    result = project.run("test_r.py", "--report-log", "log.jsonl", options=["--max-restarts", "2"])
    assert result.returncode == 1
    assert "log.jsonl (pytest-reportlog) cannot be completed" in result.stderr
    assert (project.latest / "reports" / "3-report-log.jsonl").exists()


def test_postprocess_says_when_a_report_misses_tests_of_the_run(project):
    project.write("test_r.py", SUITE)
    project.run("test_r.py", "--junitxml=pytest.xml", options=["--max-restarts", "2"])
    # The last attempt's own file, as pytest left it before blackbox completed it.
    last = (project.latest / "reports" / "3-junit.xml").read_text()
    (project.root / "truncated.xml").write_text(last)
    result = project.blackbox(
        "postprocess", "--run-dir", str(project.latest), "--junitxml", "truncated.xml"
    )
    assert result.returncode == 0
    assert "added 2 crashed tests" in result.stdout
    assert "truncated.xml shows 6 of the run's 13 tests: 7 are missing" in result.stderr
    # The completed file misses none: nothing to say.
    complete = project.blackbox(
        "postprocess", "--run-dir", str(project.latest), "--junitxml", "pytest.xml"
    )
    assert "missing" not in complete.stderr
