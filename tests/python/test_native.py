"""Native stacks: real crashes of C code, and dumps on request, in real pytest processes."""

import os
import signal
from pathlib import Path

import pytest
from recording import faulthandler_text, journal, journals, native_records, native_text

PLUGIN = ("-p", "pytest_blackbox.plugin")
REPO = Path(__file__).resolve().parents[2]
LIBRARY = os.environ.get("BLACKBOX_NATIVE_LIB") or str(
    REPO / "build" / "lib" / "blackbox" / "libblackbox_native.so"
)

needs_library = pytest.mark.skipif(
    not os.path.isfile(LIBRARY), reason=f"no native stacks library at {LIBRARY} (build it first)"
)


@pytest.fixture
def native_run_dir(run_dir: Path, clean_env: pytest.MonkeyPatch) -> Path:
    """A run directory whose processes load the native stacks' library."""
    clean_env.setenv("BLACKBOX_NATIVE_LIB", LIBRARY)
    return run_dir


def the_fatal_record(text: str) -> dict:
    (record,) = native_records(text)
    assert record["kind"] == "fatal"
    assert record["end"] == {"id": record["head"]["id"]}
    return record


def assert_whole_stack_and_maps(record: dict) -> None:
    (thread,) = record["threads"]
    assert int(thread["fields"]["tid"]) == int(record["head"]["pid"])  # the main thread
    assert thread["fields"]["pthread"].startswith("0x")
    assert len(thread["frames"]) > 3
    assert not thread["end"]["truncated"]
    assert any(line.endswith("/libc.so.6") for line in record["maps"])
    # Every frame lies in a mapping of the recorded memory map.
    spans = []
    for line in record["maps"]:
        low, high = line.split()[0].split("-")
        spans.append((int(low, 16), int(high, 16)))
    for pc, _ in thread["frames"]:
        assert any(low <= pc < high for low, high in spans), hex(pc)


@needs_library
def test_a_segfault_in_c_leaves_the_native_stack_and_faulthandlers(
    pytester: pytest.Pytester, native_run_dir: Path
):
    pytester.makepyfile(
        test_crash="""
        import ctypes

        def test_reads_null():
            ctypes.string_at(0)
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == -signal.SIGSEGV  # dies of its signal, as without the handler
    start = journal(native_run_dir)[0]
    assert signal.SIGRTMIN <= start["native_signal"] <= signal.SIGRTMAX
    assert "native_off" not in start
    record = the_fatal_record(native_text(native_run_dir))
    head = record["head"]
    assert (head["signal"], head["code"], head["addr"]) == ("11", "1", "0x0")  # SEGV_MAPERR at 0
    assert int(head["pid"]) == start["pid"]
    assert_whole_stack_and_maps(record)
    # faulthandler, chained to, still writes the Python stack.
    stacks = faulthandler_text(native_run_dir)
    assert "Fatal Python error: Segmentation fault" in stacks
    assert "in test_reads_null" in stacks
    # The native stack joins the Python one: faulthandler's "Current thread 0x…".
    pthread = int(record["threads"][0]["fields"]["pthread"], 16)
    assert f"Current thread 0x{pthread:016x}" in stacks


@needs_library
def test_an_abort_leaves_the_native_stack_and_dies_of_sigabrt(
    pytester: pytest.Pytester, native_run_dir: Path
):
    pytester.makepyfile(
        test_abort="""
        import os

        def test_aborts():
            os.abort()
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == -signal.SIGABRT
    record = the_fatal_record(native_text(native_run_dir))
    assert record["head"]["signal"] == "6"
    assert_whole_stack_and_maps(record)
    assert "Fatal Python error: Aborted" in faulthandler_text(native_run_dir)


@needs_library
def test_a_crash_at_interpreter_exit_is_still_written(
    pytester: pytest.Pytester, native_run_dir: Path
):
    """pytest disables faulthandler when it unconfigures; the plugin enables it again and puts
    the native handlers back on top, for what crashes after pytest (atexit, destructors)."""
    pytester.makeconftest(
        """
        import atexit, ctypes

        atexit.register(ctypes.string_at, 0)
        """
    )
    pytester.makepyfile(test_fine="def test_passes():\n    pass\n")
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == -signal.SIGSEGV
    assert journal(native_run_dir)[-1]["ev"] == "exit"
    record = the_fatal_record(native_text(native_run_dir))
    assert record["head"]["signal"] == "11"
    assert_whole_stack_and_maps(record)
    assert "Fatal Python error: Segmentation fault" in faulthandler_text(native_run_dir)


@needs_library
def test_a_stack_overflow_is_written_from_the_alternate_stack(
    pytester: pytest.Pytester, native_run_dir: Path
):
    pytester.makepyfile(
        test_overflow="""
        import sys

        def test_recurses_in_c():
            sys.setrecursionlimit(10**8)
            nested = []
            for _ in range(10**6):
                nested = [nested]
            repr(nested)  # list_repr calls itself in C until the stack runs out
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == -signal.SIGSEGV
    record = the_fatal_record(native_text(native_run_dir))
    (thread,) = record["threads"]
    assert len(thread["frames"]) == 256 and thread["end"]["truncated"]
    assert "Fatal Python error: Segmentation fault" in faulthandler_text(native_run_dir)


@needs_library
def test_a_dump_writes_every_threads_stack_and_the_run_goes_on(
    pytester: pytest.Pytester, native_run_dir: Path
):
    pytester.makepyfile(
        test_dump="""
        import json, os, threading, time
        from pathlib import Path

        def test_dump_while_a_thread_waits_in_c():
            run_dir = Path(os.environ["BLACKBOX_RUN_DIR"])
            (journal,) = (run_dir / "journal").glob(f"*-{os.getpid()}.jsonl")
            start = json.loads(journal.read_text().splitlines()[0])
            held = threading.Lock()
            held.acquire()
            waiter = threading.Thread(target=held.acquire, kwargs={"timeout": 30}, daemon=True)
            waiter.start()
            time.sleep(0.2)  # in sem_clockwait, inside libc
            os.kill(os.getpid(), start["native_signal"])
            native = run_dir / "native" / (journal.stem + ".txt")
            deadline = time.monotonic() + 10
            while "end record" not in native.read_text() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert f"pthread={waiter.ident:#x} " in native.read_text()
            held.release()
            waiter.join()
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=1)
    assert result.ret == 0  # a dump does not kill
    (record,) = native_records(native_text(native_run_dir))
    assert record["kind"] == "dump"
    threads = record["threads"]
    assert len(threads) >= 2
    assert int(record["head"]["threads"]) >= 2
    assert record["end"]["answered"] == str(len(threads))
    assert record["end"]["of"] == record["head"]["threads"]
    assert int(threads[0]["fields"]["tid"]) == int(record["head"]["pid"])  # the leader first
    assert all(len(thread["frames"]) > 3 for thread in threads)
    assert any(line.endswith("/libc.so.6") for line in record["maps"])
    assert journal(native_run_dir)[-1]["ev"] == "exit"


@needs_library
def test_a_forked_child_that_crashes_writes_nothing_into_its_parents_file(
    pytester: pytest.Pytester, native_run_dir: Path
):
    pytester.makepyfile(
        test_fork="""
        import ctypes, os, signal

        def test_child_crashes():
            pid = os.fork()
            if pid == 0:
                ctypes.string_at(0)
                os._exit(0)
            _, status = os.waitpid(pid, 0)
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSEGV
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=1)
    assert native_text(native_run_dir) == ""


@needs_library
def test_a_crashing_xdist_worker_writes_its_own_native_stack(
    pytester: pytest.Pytester, native_run_dir: Path
):
    pytest.importorskip("xdist")
    pytester.makepyfile(
        test_fine="def test_a():\n    pass\n\ndef test_b():\n    pass\n",
        test_crash="import ctypes\n\ndef test_reads_null():\n    ctypes.string_at(0)\n",
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "-n", "2")
    result.assert_outcomes(passed=2, failed=1)
    controller = journals(native_run_dir)["main"]
    (crash,) = [r for r in controller if r["ev"] == "worker_crash"]
    record = the_fatal_record(native_text(native_run_dir, crash["worker"]))
    assert record["head"]["signal"] == "11"
    assert_whole_stack_and_maps(record)
    # Every process loaded it: the controller and the workers.
    for role, records in journals(native_run_dir).items():
        assert isinstance(records[0]["native_signal"], int), role


@needs_library
def test_the_dump_signal_is_one_nothing_else_handles(
    pytester: pytest.Pytester, native_run_dir: Path
):
    pytester.makeconftest(
        """
        import signal

        signal.signal(signal.SIGRTMAX - 2, lambda signum, frame: None)  # the project's own
        """
    )
    pytester.makepyfile(test_fine="def test_passes():\n    pass\n")
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == 0
    assert journal(native_run_dir)[0]["native_signal"] == signal.SIGRTMAX - 3


def test_without_the_library_the_run_is_recorded_and_says_why(
    pytester: pytest.Pytester, run_dir: Path, clean_env: pytest.MonkeyPatch, tmp_path: Path
):
    clean_env.setenv("BLACKBOX_NATIVE_LIB", str(tmp_path / "missing" / "libblackbox_native.so"))
    pytester.makepyfile(test_fine="def test_passes():\n    pass\n")
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    start = journal(run_dir)[0]
    assert start["native_off"] == "library not found"
    assert "native_signal" not in start
    assert "native" not in result.stderr.str()  # said in the journal only


def test_a_library_that_cannot_load_is_named_in_the_journal(
    pytester: pytest.Pytester, run_dir: Path, clean_env: pytest.MonkeyPatch, tmp_path: Path
):
    broken = tmp_path / "libblackbox_native.so"
    broken.write_bytes(b"not an ELF object")
    clean_env.setenv("BLACKBOX_NATIVE_LIB", str(broken))
    pytester.makepyfile(test_fine="def test_passes():\n    pass\n")
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert result.ret == 0
    assert journal(run_dir)[0]["native_off"].startswith("failed to load: ")
