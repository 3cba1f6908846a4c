"""Each test's own peak memory and CPU time, and the stack dump on request."""

import signal
from pathlib import Path

import pytest
from recording import by_test, faulthandler_text, journal, phase_ends

PLUGIN = ("-p", "pytest_blackbox.plugin")


def teardown_ends(run_dir: Path) -> dict:
    """nodeid → the `end` record of its teardown."""
    return {
        nodeid: phase_ends(records)["teardown"]
        for nodeid, records in by_test(journal(run_dir)).items()
    }


def test_each_test_has_its_own_exact_peak_even_for_a_short_spike(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        test_it="""
        def test_small():
            pass

        def test_spike():
            block = bytearray(300 << 20)  # resident for a few milliseconds only
            for offset in range(0, len(block), 4096):
                block[offset] = 1
            del block

        def test_after_the_spike():
            pass
        """
    )
    assert pytester.runpytest_subprocess(*PLUGIN).ret == 0
    if not journal(run_dir)[0]["hwm_reset"]:
        pytest.skip("this kernel does not let a process reset its memory high-water mark")
    peaks = {nodeid: end["peak_rss"] for nodeid, end in teardown_ends(run_dir).items()}
    spike = peaks["test_it.py::test_spike"]
    assert spike >= 300 << 20
    assert peaks["test_it.py::test_after_the_spike"] < spike - (250 << 20)
    assert peaks["test_it.py::test_small"] < spike - (250 << 20)


ACCURACY_SUITE = """
    import pytest

    kept = []

    @pytest.mark.parametrize("mib", [50, 100, 200])
    def test_holds(mib):
        data = b"x" * (mib << 20)  # every page written: resident
        assert len(data) == mib << 20

    def test_spike_of_a_few_milliseconds():
        data = b"x" * (200 << 20)
        del data

    def test_keeps():
        kept.append(b"x" * (30 << 20))

    def test_trivial():
        pass
    """


@pytest.mark.parametrize("workers", [0, 2])
def test_peaks_above_the_start_are_within_five_percent_of_the_allocation(
    pytester: pytest.Pytester, run_dir: Path, workers: int
):
    if workers:
        pytest.importorskip("xdist")
    pytester.makepyfile(test_it=ACCURACY_SUITE)
    args = ("-n", str(workers)) if workers else ()
    assert pytester.runpytest_subprocess(*PLUGIN, *args).ret == 0
    ends = {}
    for role in ("gw0", "gw1") if workers else ("main",):
        if not journal(run_dir, role)[0]["hwm_reset"]:
            pytest.skip("this kernel does not let a process reset its memory high-water mark")
        ends.update(
            {n: phase_ends(rs)["teardown"] for n, rs in by_test(journal(run_dir, role)).items()}
        )
    for mib in (50, 100, 200):
        end = ends[f"test_it.py::test_holds[{mib}]"]
        grown = end["peak_rss"] - end["rss_before"]
        assert abs(grown - (mib << 20)) <= 0.05 * (mib << 20), (mib, grown)
    spike = ends["test_it.py::test_spike_of_a_few_milliseconds"]
    assert abs(spike["peak_rss"] - spike["rss_before"] - (200 << 20)) <= 10 << 20
    assert spike["rss_after"] - spike["rss_before"] < 5 << 20  # freed
    keeps = ends["test_it.py::test_keeps"]
    assert abs(keeps["rss_after"] - keeps["rss_before"] - (30 << 20)) <= 3 << 20  # retained
    trivial = ends["test_it.py::test_trivial"]
    # Exact for small peaks too: an xdist worker's ru_maxrss cannot hide a peak under its floor.
    assert 0 <= trivial["peak_rss"] - trivial["rss_before"] < 1 << 20
    assert abs(trivial["peak_rss"] - trivial["rss_after"]) < 512 << 10
    assert abs(trivial["rss_after"] - trivial["rss_before"]) < 1 << 20


def test_each_test_has_its_cpu_times(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        test_it="""
        import time

        def test_busy():
            deadline = time.process_time() + 0.2
            while time.process_time() < deadline:
                pass

        def test_idle():
            time.sleep(0.2)
        """
    )
    assert pytester.runpytest_subprocess(*PLUGIN).ret == 0
    ends = teardown_ends(run_dir)
    busy, idle = ends["test_it.py::test_busy"], ends["test_it.py::test_idle"]
    assert busy["cpu_user"] + busy["cpu_sys"] >= 0.15
    assert idle["cpu_user"] + idle["cpu_sys"] < 0.1
    # Taken over an interval that holds the phases, and no shorter than the CPU time spent in
    # it: one thread cannot use more than the wall time.
    for end in (busy, idle):
        assert end["cpu_wall"] >= end["dur"] and end["cpu_wall"] >= 0.2
    assert busy["cpu_user"] + busy["cpu_sys"] <= busy["cpu_wall"] * 1.05


def test_the_test_threads_cpu_and_wait_come_from_the_scheduler(
    pytester: pytest.Pytester, run_dir: Path
):
    if not Path("/proc/thread-self/schedstat").exists():
        pytest.skip("this kernel keeps no schedstats (/proc/thread-self/schedstat)")
    pytester.makepyfile(
        test_it="""
        import threading, time

        def spin(seconds):
            deadline = time.thread_time() + seconds
            while time.thread_time() < deadline:
                pass

        def test_busy():
            spin(0.2)

        def test_threads():
            worker = threading.Thread(target=spin, args=(0.3,))
            worker.start()
            worker.join()

        def test_idle():
            time.sleep(0.2)
        """
    )
    assert pytester.runpytest_subprocess(*PLUGIN).ret == 0
    ends = teardown_ends(run_dir)
    busy, threads, idle = (ends[f"test_it.py::test_{n}"] for n in ("busy", "threads", "idle"))
    for end in (busy, threads, idle):
        assert end["run_delay"] >= 0 and end["main_cpu"] >= 0
    # The test's thread computed the busy test's CPU time, another thread the threaded one's.
    assert busy["main_cpu"] >= 0.15
    assert busy["main_cpu"] <= busy["cpu_user"] + busy["cpu_sys"] + 0.02
    assert threads["cpu_user"] + threads["cpu_sys"] - threads["main_cpu"] >= 0.25
    # Sleeping is not running.
    assert idle["main_cpu"] < 0.1


def test_the_dump_signal_writes_every_stack_without_stopping_the_test(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        test_it="""
        import os
        import signal

        def test_asks_for_a_dump():
            os.kill(os.getpid(), signal.SIGUSR2)

        def test_next():
            pass
        """
    )
    assert pytester.runpytest_subprocess(*PLUGIN).ret == 0
    records = journal(run_dir)
    assert records[0]["dump_signal"] == signal.SIGUSR2
    assert "in test_asks_for_a_dump" in faulthandler_text(run_dir)
    assert phase_ends(by_test(records)["test_it.py::test_next"])["call"]["outcome"] == "passed"
