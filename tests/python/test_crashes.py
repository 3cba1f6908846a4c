"""Real deaths of the pytest process: the journal and the faulthandler file say where it was."""

import signal
from pathlib import Path

import pytest
from recording import faulthandler_text, journal

PLUGIN = ("-p", "pytest_blackbox.plugin")


def last_records(run_dir: Path, count: int):
    return [
        {key: value for key, value in r.items() if key != "ns"} for r in journal(run_dir)[-count:]
    ]


def test_segfault_in_call_leaves_the_passed_setup_last(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        test_crash="""
        import os, signal

        def test_before():
            pass

        def test_segv():
            os.kill(os.getpid(), signal.SIGSEGV)

        def test_after():
            pass
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == -signal.SIGSEGV
    # A passed setup's end is the call's beginning: the call was running.
    assert last_records(run_dir, 2) == [
        {"ev": "test", "nodeid": "test_crash.py::test_segv"},
        {"ev": "end", "phase": "setup", "outcome": "passed", "dur": pytest.approx(0, abs=1)},
    ]
    stacks = faulthandler_text(run_dir)
    assert "Fatal Python error: Segmentation fault" in stacks
    assert f'File "{pytester.path / "test_crash.py"}", line 7 in test_segv' in stacks


def test_abort_in_fixture_setup_leaves_the_fixture_open(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        test_abort="""
        import os, pytest

        @pytest.fixture(scope="module")
        def native_library():
            os.abort()

        def test_uses_it(native_library):
            pass
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == -signal.SIGABRT
    assert last_records(run_dir, 2) == [
        {"ev": "test", "nodeid": "test_abort.py::test_uses_it"},
        {"ev": "fixture_begin", "name": "native_library", "scope": "module", "phase": "setup"},
    ]
    stacks = faulthandler_text(run_dir)
    assert "Fatal Python error: Aborted" in stacks
    assert "line 5 in native_library" in stacks


def test_os_exit_in_a_test_leaves_the_setup_end_last(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        test_exit="""
        import os

        def test_bails_out():
            os._exit(3)
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == 3
    records = last_records(run_dir, 2)
    assert records[0]["ev"] == "test" and records[1]["ev"] == "end"
    assert (records[1]["phase"], records[1]["outcome"]) == ("setup", "passed")
    assert faulthandler_text(run_dir) == ""


def test_segfault_while_importing_a_module_leaves_collect_without_collect_end(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        test_fine="def test_fine():\n    pass\n",
        test_native="import os, signal\n\nos.kill(os.getpid(), signal.SIGSEGV)\n",
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == -signal.SIGSEGV
    records = last_records(run_dir, 3)
    assert records == [
        {"ev": "collect", "nodeid": "test_fine.py"},
        {"ev": "collect_end", "nodeid": "test_fine.py", "outcome": "passed"},
        {"ev": "collect", "nodeid": "test_native.py"},
    ]
    assert "line 3 in <module>" in faulthandler_text(run_dir)


def test_segfault_at_interpreter_exit_still_leaves_a_stack(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        test_atexit="""
        import atexit, ctypes

        def crash_on_the_way_out():
            ctypes.string_at(0)

        def test_registers_a_bad_exit_handler():
            atexit.register(crash_on_the_way_out)
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == -signal.SIGSEGV
    assert last_records(run_dir, 2) == [{"ev": "session_end", "exitstatus": 0}, {"ev": "exit"}]
    stacks = faulthandler_text(run_dir)
    assert "Fatal Python error: Segmentation fault" in stacks
    assert "in crash_on_the_way_out" in stacks


def test_sigkill_keeps_every_record_written_before_it(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        test_killed="""
        import os, signal

        def test_many():
            pass

        def test_killed():
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == -signal.SIGKILL
    (last,) = last_records(run_dir, 1)
    assert (last["ev"], last["phase"], last["outcome"]) == ("end", "setup", "passed")
    assert faulthandler_text(run_dir) == ""  # SIGKILL leaves no stack: the journal is all
