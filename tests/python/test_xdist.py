"""Recording under pytest-xdist: the controller's journal and one journal per worker."""

import os
import signal
from pathlib import Path

import pytest
from recording import faulthandler_text, journals, read_lines

pytest.importorskip("xdist")

PLUGIN = ("-p", "pytest_blackbox.plugin")
SUITE = {
    "test_one": """
        import time

        def test_a():
            time.sleep(0.05)

        def test_b():
            time.sleep(0.05)
        """,
    "test_two": """
        def test_c():
            pass

        def test_d():
            pass
        """,
}


def nodeids_run_by_workers(recorded):
    return sorted(
        r["nodeid"]
        for role, records in recorded.items()
        if role != "main"
        for r in records
        if r["ev"] == "test"
    )


@pytest.mark.parametrize("dist", ["load", "loadfile"])
def test_controller_and_each_worker_write_their_own_journal(
    pytester: pytest.Pytester, run_dir: Path, dist: str
):
    pytester.makepyfile(**SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2", "--dist", dist)
    result.assert_outcomes(passed=4)
    recorded = journals(run_dir)
    assert sorted(recorded) == ["gw0", "gw1", "main"]
    controller = recorded["main"]
    assert [r["controller"] for r in controller if r["ev"] == "session_start"] == [True]
    assert not [r for r in controller if r["ev"] in ("test", "begin", "end", "collect")]
    downs = [r for r in controller if r["ev"] == "worker_down"]
    assert sorted(r["worker"] for r in downs) == ["gw0", "gw1"]
    assert all(r["error"] is None for r in downs)
    assert [r["ev"] for r in controller][-2:] == ["session_end", "exit"]
    for worker in ("gw0", "gw1"):
        start = recorded[worker][0]
        assert start["worker"] == worker and start["ppid"] == controller[0]["pid"]
        assert [r["controller"] for r in recorded[worker] if r["ev"] == "session_start"] == [False]
    assert nodeids_run_by_workers(recorded) == [
        "test_one.py::test_a",
        "test_one.py::test_b",
        "test_two.py::test_c",
        "test_two.py::test_d",
    ]


def test_segfault_in_a_worker_is_named_in_the_controller_journal(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        **SUITE,
        test_crash="""
        import os, signal

        def test_segv():
            os.kill(os.getpid(), signal.SIGSEGV)
        """,
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2")
    result.assert_outcomes(passed=4, failed=1)
    recorded = journals(run_dir)
    controller = recorded["main"]
    (crash,) = [r for r in controller if r["ev"] == "worker_crash"]
    assert crash["nodeid"] == "test_crash.py::test_segv"
    crashed = crash["worker"]
    (down,) = [r for r in controller if r["ev"] == "worker_down" and r["worker"] == crashed]
    assert down["error"] and down["signal"] == signal.SIGSEGV and down["code"] is None
    last = recorded[crashed][-1]
    assert (last["ev"], last["phase"], last["outcome"]) == ("end", "setup", "passed")  # in call
    assert "Segmentation fault" in faulthandler_text(run_dir, crashed)
    passed = [
        r
        for role, records in recorded.items()
        for r in records
        if r["ev"] == "end" and r["phase"] == "call" and r["outcome"] == "passed"
    ]
    assert len(passed) == 4


def test_plain_blackbox_run_records_every_worker_into_one_run_dir(
    pytester: pytest.Pytester, clean_env
):
    pytester.makepyfile(**SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN, "--blackbox", "-n", "2")
    result.assert_outcomes(passed=4)
    (run,) = (pytester.path / ".blackbox" / "runs").iterdir()
    recorded = journals(run)
    assert sorted(recorded) == ["gw0", "gw1", "main"]
    assert len(nodeids_run_by_workers(recorded)) == 4
    assert "BLACKBOX_RUN_DIR" not in os.environ


def test_loadgroup_records_pytest_node_ids_without_the_group_suffix(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        test_groups="""
        import pytest

        @pytest.mark.xdist_group("db")
        def test_grouped():
            pass

        @pytest.mark.xdist_group(name="db")
        @pytest.mark.parametrize("p", ["x@y"])
        def test_grouped_param(p):
            pass

        def test_ungrouped():
            pass
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2", "--dist", "loadgroup")
    result.assert_outcomes(passed=3)
    recorded = journals(run_dir)
    expected = [
        "test_groups.py::test_grouped",
        "test_groups.py::test_grouped_param[x@y]",
        "test_groups.py::test_ungrouped",
    ]
    assert nodeids_run_by_workers(recorded) == expected
    collected = [
        item["nodeid"] for path in (run_dir / "collected").iterdir() for item in read_lines(path)
    ]
    assert sorted(set(collected)) == expected


@pytest.mark.parametrize(
    "decorated, undecorated",
    [
        ("t.py::test_a@db", "t.py::test_a"),
        ("t.py::test_p[x@y]@db", "t.py::test_p[x@y]"),
        ("t.py::test_p[x@y]", "t.py::test_p[x@y]"),
        ("a@b/t.py::test_a", "a@b/t.py::test_a"),
        ("t.py::TestC::test_m@g-1", "t.py::TestC::test_m"),
    ],
)
def test_controller_strips_only_a_group_suffix(decorated: str, undecorated: str):
    from pytest_blackbox.items import undecorated_group_id

    assert undecorated_group_id(decorated) == undecorated
