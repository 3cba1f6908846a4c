"""Plugins that change how a test runs: pytest-forked (each test in a forked child),
pytest-subtests (subtests inside one test) and pytest-rerunfailures (failed tests run again).
Each suite really crashes or fails; every report must say what pytest said."""

import json
import sqlite3
import xml.etree.ElementTree as ET

import pytest

from conftest import load_report, report_data

SEGFAULT = "import ctypes; ctypes.string_at(0)"


def need(module):
    """These plugins are Debian packages scripts/install-deps installs."""
    pytest.importorskip(module)


def junit_cases(path):
    """JUnit's testcases by name, and the suite element."""
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    return {case.get("name"): case for case in suite.iter("testcase")}, suite


def reports(project, *pytest_args, env=None):
    """Runs the suite under blackbox with every report; the run's JSON, JUnit, show."""
    result = project.run(
        *pytest_args,
        options=["--json", "r.json", "--junitxml", "j.xml", "--md", "r.md"],
        env=env,
    )
    return result, load_report(project.root / "r.json"), project.show()


def by_nodeid(report):
    return {test["nodeid"]: test for test in report["tests"]}


def test_a_forked_child_that_dies_is_a_crash_of_its_test(project):
    """pytest-forked runs each test in a child: a child's death is its test's crash, with its
    signal, its phase (the child writes `begin` records) and its own Python stack."""
    need("pytest_forked")
    project.write(
        "test_f.py",
        f"""
        import os, signal
        import pytest

        def test_before():
            pass

        def test_segv():
            {SEGFAULT}

        @pytest.fixture
        def dies():
            os.kill(os.getpid(), signal.SIGKILL)

        def test_killed_in_setup(dies):
            pass

        def test_after():
            pass
        """,
    )
    result, report, show = reports(project, "--forked", "test_f.py")
    assert result.returncode == 1, result.stderr  # as bare pytest: two tests failed
    tests = by_nodeid(report)
    segv = tests["test_f.py::test_segv"]
    assert segv["outcome"] == "crashed"
    assert segv["crash"]["signal"] == "SIGSEGV"
    assert segv["crash"]["cause"] == "segfault"
    assert segv["crash"]["phase"] == "call"
    assert 'test_f.py", line 9 in test_segv' in segv["crash"]["traceback"]
    killed = tests["test_f.py::test_killed_in_setup"]
    assert killed["outcome"] == "crashed"
    assert killed["crash"]["signal"] == "SIGKILL"
    assert killed["crash"]["phase"] == "setup"
    assert tests["test_f.py::test_after"]["outcome"] == "passed"
    assert report["summary"]["crashed"] == 2 and report["summary"]["passed"] == 2
    assert {crash["nodeid"] for crash in show["crashes"]} == set(
        ["test_f.py::test_segv", "test_f.py::test_killed_in_setup"]
    )
    cases, suite = junit_cases(project.root / "j.xml")
    assert suite.get("errors") == "2"
    error = cases["test_segv"].find("error")
    assert error is not None and error.get("type") == "crash"
    assert "SIGSEGV" in error.get("message") and "call" in error.get("message")
    assert cases["test_segv"].find("skipped") is None
    markdown = (project.root / "r.md").read_text()
    assert "test_segv" in markdown and "SIGSEGV" in markdown
    data = report_data(project.latest / "report.html")
    assert "SIGSEGV" in json.dumps(data)
    assert "test_f.py::test_segv" in result.stderr and "SIGSEGV" in result.stderr
    # Only the child that died left a faulthandler file of its own.
    forks = list((project.latest / "faulthandler").glob("*.fork-*.txt"))
    assert len(forks) == 1, forks


def test_failed_subtests_fail_their_test(project):
    """pytest-subtests reports the test passed beside its failed subtests; the session fails.
    The test is failed in every report, its subtests listed."""
    need("pytest_subtests")
    project.write(
        "test_s.py",
        """
        import unittest

        def test_blocks(subtests):
            for i in range(3):
                with subtests.test(msg="block", i=i):
                    assert i == 0

        class T(unittest.TestCase):
            def test_sub(self):
                for i in range(2):
                    with self.subTest(i=i):
                        self.assertEqual(i, 0)

        def test_plain():
            pass
        """,
    )
    result, report, show = reports(project, "test_s.py")
    assert result.returncode == 1
    tests = by_nodeid(report)
    blocks = tests["test_s.py::test_blocks"]
    assert blocks["outcome"] == "failed"
    assert [s["outcome"] for s in blocks["subtests"]] == ["passed", "failed", "failed"]
    assert blocks["subtests"][1]["msg"] == "block"
    assert blocks["subtests"][1]["params"] == {"i": "1"}
    assert "assert 1 == 0" in blocks["subtests"][1]["longrepr"]
    sub = tests["test_s.py::T::test_sub"]
    assert sub["outcome"] == "failed"
    assert [s["outcome"] for s in sub["subtests"]] == ["failed"]
    assert tests["test_s.py::test_plain"]["outcome"] == "passed"
    assert "subtests" not in tests["test_s.py::test_plain"]
    assert report["summary"]["failed"] == 2
    assert show["status"] == "failed"
    cases, suite = junit_cases(project.root / "j.xml")
    assert suite.get("failures") == "2"
    failure = cases["test_blocks"].find("failure")
    assert failure is not None and "2 subtests failed" in failure.get("message")
    assert "[block] (i=1)" in failure.text


def test_reruns_are_recorded_and_a_crash_names_its_phase(project, tmp_path):
    """pytest-rerunfailures runs each try with log=False: its reports come after the try. The
    phase of a death is still the right one, and every try is in the JSON, JUnit and database."""
    need("pytest_rerunfailures")
    flag = tmp_path / "seen"
    project.write(
        "test_r.py",
        f"""
        import os

        def test_flaky():
            if not os.path.exists({str(flag)!r}):
                open({str(flag)!r}, "w").close()
                assert False, "first try fails"

        def test_always():
            assert False, "never passes"

        def test_pass():
            pass

        def test_segv():
            {SEGFAULT}
        """,
    )
    result, report, show = reports(project, "--reruns", "2", "test_r.py")
    crash = show["crashes"][0]
    assert crash["nodeid"] == "test_r.py::test_segv"
    assert crash["phase"] == "call"  # not "setup": the try's reports were not out yet
    tests = by_nodeid(report)
    flaky = tests["test_r.py::test_flaky"]
    assert flaky["outcome"] == "passed"
    assert flaky["reruns"] == 1
    assert flaky["rerun_tries"][0]["outcome"] == "failed"
    assert flaky["rerun_tries"][0]["phase"] == "call"
    assert "first try fails" in flaky["rerun_tries"][0]["longrepr"]
    always = tests["test_r.py::test_always"]
    assert always["outcome"] == "failed" and always["reruns"] == 2
    assert tests["test_r.py::test_pass"]["reruns"] == 0
    cases, _ = junit_cases(project.root / "j.xml")
    assert len(cases["test_flaky"].findall("flakyFailure")) == 1
    assert cases["test_flaky"].find("failure") is None
    assert len(cases["test_always"].findall("rerunFailure")) == 2
    assert cases["test_always"].find("failure") is not None
    with sqlite3.connect(project.root / ".blackbox" / "metrics.db") as db:
        reruns = dict(db.execute("SELECT nodeid, reruns FROM blackbox_tests"))
    assert reruns["test_r.py::test_flaky"] == 1
    assert reruns["test_r.py::test_always"] == 2
    assert reruns["test_r.py::test_pass"] == 0
