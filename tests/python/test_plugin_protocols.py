"""What the journal says when a plugin runs a test's phases its own way: reports written after
the phases ran (`runtestprotocol(item, log=False)`, as pytest-rerunfailures does), subtests
(pytest-subtests) and forked children (pytest-forked)."""

from pathlib import Path

import pytest
from recording import by_test, journal

PLUGIN = ("-p", "pytest_blackbox.plugin")

LATE_REPORTS = """
import pytest
from _pytest.runner import runtestprotocol

@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for report in runtestprotocol(item, nextitem=nextitem, log=False):
        item.ihook.pytest_runtest_logreport(report=report)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True
"""


def test_phases_reported_late_are_begun_in_the_journal(pytester: pytest.Pytester, run_dir: Path):
    pytester.makeconftest(LATE_REPORTS)
    pytester.makepyfile("def test_ok():\n    pass\n")
    pytester.inline_run(*PLUGIN)
    (records,) = by_test(journal(run_dir)).values()
    assert [(r["ev"], r["phase"]) for r in records] == [
        ("begin", "call"),
        ("begin", "teardown"),
        ("end", "setup"),
        ("end", "call"),
        ("end", "teardown"),
    ]
    assert all("pid" not in r for r in records)


def test_phases_reported_as_they_end_need_no_begin(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile("def test_ok():\n    pass\n\ndef test_fails():\n    assert 0\n")
    pytester.inline_run(*PLUGIN)
    for records in by_test(journal(run_dir)).values():
        assert all(r["ev"] == "end" for r in records)


def test_subtests_are_recorded_apart_from_the_phases(pytester: pytest.Pytester, run_dir: Path):
    pytest.importorskip("pytest_subtests")
    pytester.makepyfile(
        """
        def test_blocks(subtests):
            for i in range(2):
                with subtests.test(msg="block", i=i):
                    assert i == 0
        """
    )
    pytester.inline_run(*PLUGIN)
    (records,) = by_test(journal(run_dir)).values()
    subtests = [r for r in records if r["ev"] == "subtest"]
    assert [(s["outcome"], s["msg"], s["params"]) for s in subtests] == [
        ("passed", "block", {"i": "0"}),
        ("failed", "block", {"i": "1"}),
    ]
    assert "assert 1 == 0" in subtests[1]["longrepr"]
    ends = [(r["phase"], r["outcome"]) for r in records if r["ev"] == "end"]
    assert ends == [("setup", "passed"), ("call", "passed"), ("teardown", "passed")]


def test_a_forked_childs_death_names_its_signal_phase_and_stack(
    pytester: pytest.Pytester, run_dir: Path
):
    pytest.importorskip("pytest_forked")
    pytester.makepyfile(
        """
        import ctypes

        def test_fine():
            pass

        def test_segv():
            ctypes.string_at(0)
        """
    )
    pytester.inline_run(*PLUGIN, "--forked")
    tests = by_test(journal(run_dir))
    crashed = tests["test_a_forked_childs_death_names_its_signal_phase_and_stack.py::test_segv"]
    begins = [r for r in crashed if r["ev"] == "begin"]
    assert [b["phase"] for b in begins] == ["setup", "call"]
    child = begins[0]["pid"]
    end = crashed[-1]
    assert (end["phase"], end["outcome"], end["signal"]) == ("???", "failed", 11)
    # Only the child that died keeps its faulthandler file: its stack, not the parent's.
    forks = sorted((run_dir / "faulthandler").glob("*.fork-*.txt"))
    assert [f.name.rsplit("-", 1)[1] for f in forks] == [f"{child}.txt"]
    assert "in test_segv" in forks[0].read_text()
