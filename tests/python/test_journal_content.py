"""What the journal says about tests that pass, fail, skip, xfail and error, and their output."""

from pathlib import Path

import pytest
from recording import by_test, collected, events, journal, phase_ends

PLUGIN = ("-p", "pytest_blackbox.plugin")


def run_and_read(pytester: pytest.Pytester, run_dir: Path, *args: str):
    """Run pytest in-process; return pytest's own reports and the journal, split by test."""
    reprec = pytester.inline_run(*PLUGIN, *args)
    return reprec, by_test(journal(run_dir))


def test_passing_test_has_three_phase_ends_and_nothing_else(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile("def test_ok():\n    pass\n")
    _, tests = run_and_read(pytester, run_dir)
    records = tests["test_passing_test_has_three_phase_ends_and_nothing_else.py::test_ok"]
    # Each phase begins with the record before it: four writes per test.
    assert [(r["ev"], r["phase"]) for r in records] == [
        ("end", "setup"),
        ("end", "call"),
        ("end", "teardown"),
    ]
    # The teardown's end carries the test's own resources.
    resources = {"peak_rss", "cpu_user", "cpu_sys", "cpu_wall", "rss_before", "rss_after"}
    resources |= {"main_cpu", "run_delay"}
    for record in records:
        allowed = {"ev", "ns", "phase", "outcome", "dur"}
        assert set(record) <= (allowed | resources if record["phase"] == "teardown" else allowed)
    assert all(r["outcome"] == "passed" and r["dur"] >= 0 for r in records if r["ev"] == "end")
    assert [r["ns"] for r in records] == sorted(r["ns"] for r in records)


def test_outcomes_of_every_kind_are_recorded_as_pytest_reports_them(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        test_kinds="""
        import pytest

        def test_fail():
            assert 1 == 2, "one is not two"

        def test_skip():
            pytest.skip("not today")

        @pytest.mark.xfail(reason="known bug")
        def test_xfail():
            assert 0

        @pytest.mark.xfail(reason="fixed already")
        def test_xpass():
            pass

        @pytest.fixture
        def broken():
            raise RuntimeError("setup broke")

        def test_setup_error(broken):
            pass

        @pytest.fixture
        def bad_teardown():
            yield
            raise RuntimeError("teardown broke")

        def test_teardown_error(bad_teardown):
            pass
        """
    )
    _, tests = run_and_read(pytester, run_dir)
    ends = {nodeid.split("::")[1]: phase_ends(records) for nodeid, records in tests.items()}

    fail = ends["test_fail"]["call"]
    assert fail["outcome"] == "failed" and "one is not two" in fail["longrepr"]
    assert ends["test_skip"]["call"]["outcome"] == "skipped"
    assert ends["test_skip"]["call"]["reason"] == "Skipped: not today"
    xfail = ends["test_xfail"]["call"]
    assert xfail["outcome"] == "skipped" and xfail["wasxfail"] == "known bug"
    xpass = ends["test_xpass"]["call"]
    assert xpass["outcome"] == "passed" and xpass["wasxfail"] == "fixed already"
    setup_error = ends["test_setup_error"]
    assert setup_error["setup"]["outcome"] == "failed" and "call" not in setup_error
    assert "setup broke" in setup_error["setup"]["longrepr"]
    teardown_error = ends["test_teardown_error"]
    assert teardown_error["call"]["outcome"] == "passed"
    assert teardown_error["teardown"]["outcome"] == "failed"
    assert "teardown broke" in teardown_error["teardown"]["longrepr"]


def test_skip_mark_in_setup_is_recorded_with_its_reason(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.skip(reason="marked")
        def test_marked():
            pass
        """
    )
    _, tests = run_and_read(pytester, run_dir)
    (records,) = tests.values()
    assert [r["ev"] + " " + r["phase"] for r in records] == ["end setup", "end teardown"]
    assert phase_ends(records)["setup"]["reason"] == "Skipped: marked"


def test_captured_output_is_recorded_once_in_the_phase_that_printed_it(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        """
        import logging, sys, pytest

        @pytest.fixture
        def noisy():
            print("from setup")
            yield
            print("from teardown")

        def test_output(noisy):
            print("to stdout")
            sys.stderr.write("to stderr\\n")
            logging.getLogger("x").warning("a log line")
        """
    )
    _, tests = run_and_read(pytester, run_dir)
    ends = phase_ends(*tests.values())
    assert ends["setup"]["sections"] == [["Captured stdout setup", "from setup\n"]]
    call_sections = dict(ends["call"]["sections"])
    assert call_sections["Captured stdout call"] == "to stdout\n"
    assert call_sections["Captured stderr call"] == "to stderr\n"
    assert "a log line" in call_sections["Captured log call"]
    assert "Captured stdout setup" not in call_sections
    assert ends["teardown"]["sections"] == [["Captured stdout teardown", "from teardown\n"]]


def test_user_properties_are_recorded_once(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        """
        def test_props(record_property):
            record_property("count", 3)
            record_property("object", object)
        """
    )
    _, tests = run_and_read(pytester, run_dir)
    ends = phase_ends(*tests.values())
    props = ends["call"]["props"]
    assert props[0] == ["count", 3]
    assert props[1][0] == "object" and "class 'object'" in props[1][1]
    assert "props" not in ends["setup"] and "props" not in ends["teardown"]


def test_huge_failure_text_is_bounded_with_head_and_tail(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        """
        def test_huge():
            assert False, "HEAD" + "x" * 200000 + "TAIL"
        """
    )
    _, tests = run_and_read(pytester, run_dir)
    longrepr = phase_ends(*tests.values())["call"]["longrepr"]
    assert len(longrepr.encode()) < 66 * 1024
    assert "HEAD" in longrepr and "TAIL" in longrepr and "bytes cut" in longrepr


PARAMETRIZED = """
import pytest

@pytest.mark.parametrize("value", [
    "caf\\u00e9", "\\u65e5\\u672c", 'say "hi"', "a::b", "dir/file", "back\\\\slash",
    "tab\\there", "new\\nline", "\\U0001F600",
])
def test_ids(value):
    pass

@pytest.mark.parametrize("x", [1], ids=["r\\u00e9el::weird/id [x]"])
def test_explicit_id(x):
    pass
"""


def test_parametrized_node_ids_round_trip_byte_for_byte(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(test_ids=PARAMETRIZED)
    reprec, tests = run_and_read(pytester, run_dir)
    reported = list(dict.fromkeys(r.nodeid for r in reprec.getreports("pytest_runtest_logreport")))
    assert len(reported) == 10
    assert list(tests) == reported
    assert [item["nodeid"] for item in collected(run_dir)] == reported
    raw = next((run_dir / "journal").iterdir()).read_bytes()
    assert all(byte < 128 for byte in raw)  # escaped, never raw UTF-8


def test_collected_items_describe_each_selected_item(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        test_items="""
        import pytest

        def test_plain():
            pass

        class TestGroup:
            @pytest.mark.slow
            @pytest.mark.parametrize("n, s", [(1, "a"), (2, "b" * 5000)])
            def test_method(self, n, s):
                pass

        def test_deselected():
            pass
        """
    )
    pytester.makeini("[pytest]\nmarkers = slow\n")
    pytester.inline_run(*PLUGIN, "-k", "not deselected")
    items = collected(run_dir)
    assert [i["nodeid"] for i in items] == [
        "test_items.py::test_plain",
        "test_items.py::TestGroup::test_method[1-a]",
        f"test_items.py::TestGroup::test_method[2-{'b' * 5000}]",
    ]
    plain, method, _ = items
    assert plain == {
        "nodeid": "test_items.py::test_plain",
        "file": "test_items.py",
        "line": 3,
        "module": "test_items",
        "cls": None,
        "func": "test_plain",
        "params": None,
        "markers": [],
        "component": "",
        "type": "function",
        "variant": "test_plain",
    }
    assert method["cls"] == "TestGroup" and method["func"] == "test_method"
    assert method["variant"] == "test_method[1-a]" and "monitored" not in method
    assert method["line"] == 7 and method["params"] == {"n": "1", "s": "'a'"}
    assert method["markers"] == ["parametrize", "slow"]
    assert len(items[2]["params"]["s"]) < 1100
    (collection,) = [r for r in journal(run_dir) if r["ev"] == "collection"]
    assert (collection["count"], collection["deselected"], collection["errors"]) == (3, 1, 0)


def test_a_restart_s_deselection_is_counted_apart_from_the_user_s(
    pytester: pytest.Pytester, run_dir: Path, clean_env: pytest.MonkeyPatch
):
    pytester.makepyfile(test_r="\n".join(f"def test_{n}():\n    pass\n" for n in range(6)))
    (run_dir / "resume").mkdir(parents=True)
    (run_dir / "resume" / "2.txt").write_text("test_r.py::test_0\ntest_r.py::test_1\n")
    clean_env.setenv("BLACKBOX_ATTEMPT", "2")
    pytester.inline_run(*PLUGIN, "-k", "not test_5")
    (collection,) = [r for r in journal(run_dir) if r["ev"] == "collection"]
    # pytest's own figure (the terminal's "3 deselected"), and of it what the resume skipped.
    assert (collection["count"], collection["deselected"], collection["resumed"]) == (3, 3, 2)


def test_collection_is_bracketed_per_file_and_errors_are_counted(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(test_good="def test_a():\n    pass\n", test_bad="import no_such_module\n")
    pytester.mkpydir("pkg").joinpath("test_inner.py").write_text("def test_b():\n    pass\n")
    pytester.inline_run(*PLUGIN, "--continue-on-collection-errors")
    records = journal(run_dir)
    starts = [r["nodeid"] for r in records if r["ev"] == "collect"]
    ends = {r["nodeid"]: r for r in records if r["ev"] == "collect_end"}
    assert {"test_good.py", "test_bad.py", "pkg/test_inner.py"} <= set(starts)
    assert sorted(starts) == sorted(ends)
    assert ends["test_bad.py"]["outcome"] == "failed"
    assert "no_such_module" in ends["test_bad.py"]["longrepr"]
    assert ends["test_good.py"]["outcome"] == "passed" and "longrepr" not in ends["test_good.py"]
    (collection,) = [r for r in records if r["ev"] == "collection"]
    assert collection["errors"] == 1 and collection["count"] == 2
    assert events(records).index("collection") < events(records).index("test")


def test_collection_of_a_single_test_by_node_id_is_bracketed(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(test_one="def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    pytester.inline_run(*PLUGIN, "test_one.py::test_b")
    records = journal(run_dir)
    assert [r["ev"] for r in records if r.get("nodeid") == "test_one.py"] == [
        "collect",
        "collect_end",
    ]


def test_pytest_exit_is_recorded_as_an_interrupt(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile("import pytest\n\ndef test_stop():\n    pytest.exit('enough')\n")
    pytester.inline_run(*PLUGIN)
    records = journal(run_dir)
    (interrupt,) = [r for r in records if r["ev"] == "interrupt"]
    assert "enough" in interrupt["reason"]
    assert records[-2] == {"ev": "session_end", "ns": records[-2]["ns"], "exitstatus": 2}


def test_keyboard_interrupt_is_recorded_before_the_session_ends(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile("def test_ctrl_c():\n    raise KeyboardInterrupt\n")
    pytester.inline_run(*PLUGIN, no_reraise_ctrlc=True)
    records = journal(run_dir)
    (interrupt,) = [r for r in records if r["ev"] == "interrupt"]
    assert "KeyboardInterrupt" in interrupt["reason"]
    assert events(records)[-3:] == ["interrupt", "session_end", "exit"]


def test_the_users_own_reports_are_named_with_their_state_before_the_session(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(test_r="def test_a():\n    pass\n")
    old = pytester.path / "out" / "old.xml"
    old.parent.mkdir()
    old.write_text("<testsuites/>")
    pytester.inline_run(*PLUGIN, "--junitxml", "out/old.xml")
    (start,) = [r for r in journal(run_dir) if r["ev"] == "session_start"]
    (report,) = start["reports"]
    assert report["kind"] == "junit" and report["path"] == str(old)
    # Its state when the session started, before pytest rewrote it.
    assert report["before"]["size"] == len("<testsuites/>")
    assert report["before"]["ino"] > 0 and report["before"]["mtime_ns"] > 0


def test_a_session_without_reports_names_none(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(test_r="def test_a():\n    pass\n")
    pytester.inline_run(*PLUGIN)
    (start,) = [r for r in journal(run_dir) if r["ev"] == "session_start"]
    assert "reports" not in start
