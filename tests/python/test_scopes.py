"""The `scope` records of modules, classes and the session (pytest-monitor's broader scopes)."""

from pathlib import Path
from typing import List

import pytest
from recording import by_test, journal, journals, phase_ends

PLUGIN = ("-p", "pytest_blackbox.plugin")

SUITE = {
    "test_first": """
        pytest_monitor_component = "first"

        def test_a():
            pass

        def test_big():
            data = b"x" * (64 << 20)
            del data

        class TestGroup:
            def test_b(self):
                pass

            def test_c(self):
                pass

        def test_d():
            pass
        """,
    "test_second": """
        class TestOther:
            def test_e(self):
                pass
        """,
}


def scopes(records: List[dict]) -> List[dict]:
    return [r for r in records if r["ev"] == "scope"]


def test_no_scope_record_by_default(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(**SUITE)
    pytester.inline_run(*PLUGIN).assertoutcome(passed=6)
    assert scopes(journal(run_dir)) == []


def test_modules_and_classes_end_where_their_last_test_does(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(**SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN, "--blackbox-restrict-scope-to", "module,class")
    result.assert_outcomes(passed=6)
    records = journal(run_dir)
    written = scopes(records)
    assert [(s["kind"], s["nodeid"]) for s in written] == [
        ("class", "test_first.py::TestGroup"),
        ("module", "test_first.py"),
        ("class", "test_second.py::TestOther"),
        ("module", "test_second.py"),
    ]
    group, first, other, second = written
    assert (first["module"], first["name"], first["file"]) == (
        "test_first",
        "test_first",
        "test_first.py",
    )
    assert (group["module"], group["name"], group["file"]) == (
        "test_first",
        "TestGroup",
        "test_first.py",
    )
    assert first["component"] == group["component"] == "first"
    assert second["component"] == "" and other["name"] == "TestOther"

    # The class record comes right after the teardown of its last test, test_c.
    at = records.index(group)
    assert records[at - 1]["ev"] == "end" and records[at - 1]["phase"] == "teardown"
    tests = by_test(records)
    starts = {r["nodeid"]: r["ns"] for r in records if r["ev"] == "test"}
    assert first["begin_ns"] <= starts["test_first.py::test_a"]
    assert starts["test_first.py::TestGroup::test_b"] - group["begin_ns"] < 50_000_000
    teardowns = {nodeid: phase_ends(rs)["teardown"] for nodeid, rs in tests.items()}
    assert group["ns"] >= teardowns["test_first.py::TestGroup::test_c"]["ns"]
    for scope in written:
        assert scope["ns"] >= scope["begin_ns"]
        assert scope["cpu_user"] >= 0 and scope["cpu_sys"] >= 0

    # Figures: the peak is the largest of the tests' peaks; RSS at both ends of the scope.
    if "peak_rss" in teardowns["test_first.py::test_a"]:
        module_tests = [t for n, t in teardowns.items() if n.startswith("test_first.py")]
        assert first["peak_rss"] == max(t["peak_rss"] for t in module_tests)
        assert first["peak_rss"] >= 64 << 20
        group_tests = [t for n, t in teardowns.items() if "TestGroup" in n]
        assert group["peak_rss"] == max(t["peak_rss"] for t in group_tests)
    assert first["rss_before"] == teardowns["test_first.py::test_a"]["rss_before"]
    assert first["rss_after"] == teardowns["test_first.py::test_d"]["rss_after"]


def test_the_session_record_closes_the_run(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(**SUITE)
    args = ("--blackbox-restrict-scope-to", "session", "--blackbox-force-component", "ALL")
    pytester.runpytest_subprocess(*PLUGIN, *args).assert_outcomes(passed=6)
    records = journal(run_dir)
    (session,) = scopes(records)
    assert records[records.index(session) + 1]["ev"] == "session_end"
    assert session["nodeid"] == "" and session["module"] is None and session["file"] is None
    assert session["component"] == "ALL" and session["name"]
    first_test = next(r for r in records if r["ev"] == "test")
    assert session["begin_ns"] <= first_test["ns"] <= session["ns"]
    if journal(run_dir)[0]["hwm_reset"]:
        assert session["peak_rss"] >= 64 << 20


def test_no_scope_record_when_monitoring_is_off(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(**SUITE)
    args = ("--blackbox-restrict-scope-to", "module,class,session", "--blackbox-no-monitor")
    pytester.inline_run(*PLUGIN, *args).assertoutcome(passed=6)
    assert scopes(journal(run_dir)) == []


def test_each_worker_writes_the_scopes_it_ran(pytester: pytest.Pytester, run_dir: Path):
    pytest.importorskip("xdist")
    pytester.makepyfile(**SUITE)
    args = ("-n", "2", "--dist", "loadfile", "--blackbox-restrict-scope-to", "module,session")
    pytester.runpytest_subprocess(*PLUGIN, *args).assert_outcomes(passed=6)
    recorded = journals(run_dir)
    assert scopes(recorded["main"]) == []  # the controller runs no test
    modules = sorted(
        s["nodeid"]
        for role in ("gw0", "gw1")
        for s in scopes(recorded[role])
        if s["kind"] == "module"
    )
    assert modules == ["test_first.py", "test_second.py"]
    sessions = [
        s for role in ("gw0", "gw1") for s in scopes(recorded[role]) if s["kind"] == "session"
    ]
    assert len(sessions) == 2
