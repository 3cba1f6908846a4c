"""After each test, when asked for: a garbage collection and its figures, the leak sentinels."""

import importlib.util
from pathlib import Path

import pytest
from recording import by_test, journal, journals

PLUGIN = ("-p", "pytest_blackbox.plugin")

LEAVERS = """
    import os
    import subprocess
    import threading
    import time

    kept = []
    stop = threading.Event()

    def test_clean():
        with open(__file__) as source:
            assert source.read()

    def test_leaves_a_file_open():
        kept.append(open(__file__))

    def test_leaves_a_thread_running():
        threading.Thread(target=stop.wait, name="left-running", daemon=True).start()

    def test_leaves_a_child_process_alive():
        child = subprocess.Popen(["sleep", "30"])
        kept.append(child)
        # Until the exec has completed, the child's command line reads empty: wait for it, so
        # that the name the sentinel records is the program's and not a moment of the exec.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(f"/proc/{child.pid}/cmdline", "rb") as cmdline:
                if cmdline.read().startswith(b"sleep"):
                    break
            time.sleep(0.01)

    def test_cleans_up_after_itself():
        child = subprocess.Popen(["sleep", "30"])
        child.kill()
        child.wait()
        worker = threading.Thread(target=lambda: None)
        worker.start()
        worker.join()

    def test_last():
        stop.set()
        for child in kept:
            if isinstance(child, subprocess.Popen):
                child.kill()
                child.wait()
    """


def after_records(run_dir: Path, role: str = "main") -> dict:
    """nodeid → its `after_test` record (absent when it wrote none)."""
    found = {}
    for nodeid, records in by_test(journal(run_dir, role)).items():
        for record in records:
            if record["ev"] == "after_test":
                found[nodeid] = record
    return found


def test_sentinels_name_each_test_that_left_something_behind(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(test_leavers=LEAVERS)
    result = pytester.runpytest_subprocess(*PLUGIN, "--blackbox-sentinels")
    result.assert_outcomes(passed=6)
    after = after_records(run_dir)
    assert set(after) == {
        "test_leavers.py::test_leaves_a_file_open",
        "test_leavers.py::test_leaves_a_thread_running",
        "test_leavers.py::test_leaves_a_child_process_alive",
    }
    left_file = after["test_leavers.py::test_leaves_a_file_open"]
    assert left_file["left"] == {"fds": 1}
    (name,) = left_file["left_names"]["fds"]
    assert name.endswith("-> " + str(pytester.path / "test_leavers.py"))
    thread = after["test_leavers.py::test_leaves_a_thread_running"]
    assert thread["left"] == {"threads": 1}
    assert thread["left_names"] == {"threads": ["left-running"]}
    child = after["test_leavers.py::test_leaves_a_child_process_alive"]
    assert child["left"] == {"children": 1}
    assert child["left_names"]["children"][0].endswith(" sleep 30")
    result.stdout.fnmatch_lines(
        [
            "*= blackbox: tests that left things behind =*",
            "file descriptors (1 test):",
            "      1  test_leavers.py::test_leaves_a_file_open",
            "threads (1 test):",
            "      1  test_leavers.py::test_leaves_a_thread_running",
            "child processes (1 test):",
            "      1  test_leavers.py::test_leaves_a_child_process_alive",
        ]
    )
    assert "test_clean" not in result.stdout.str().split("left things behind")[1]


def test_what_a_broader_fixture_opens_is_nobodys_leak(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        test_fixture="""
        import pytest

        @pytest.fixture(scope="module")
        def log():
            with open(__file__) as handle:
                yield handle

        def test_first(log):
            pass

        def test_second(log):
            pass
        """
    )
    pytester.runpytest_subprocess(*PLUGIN, "--blackbox-sentinels").assert_outcomes(passed=2)
    assert after_records(run_dir) == {}


FIGURES = """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def test_leaves_a_figure_open():
        plt.figure()

    def test_closes_its_figure():
        figure = plt.figure()
        plt.close(figure)
    """


def check_figures(pytester: pytest.Pytester, run_dir: Path) -> None:
    pytester.runpytest_subprocess(*PLUGIN, "--blackbox-sentinels").assert_outcomes(passed=2)
    after = after_records(run_dir)
    assert list(after) == ["test_figures.py::test_leaves_a_figure_open"]
    assert after["test_figures.py::test_leaves_a_figure_open"]["left"] == {"figures": 1}


@pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None,
    reason="matplotlib is not installed (Debian: python3-matplotlib)",
)
def test_sentinels_name_a_test_that_left_a_matplotlib_figure_open(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(test_figures=FIGURES)
    check_figures(pytester, run_dir)


def test_figures_are_counted_through_pyplot_once_it_is_imported(
    pytester: pytest.Pytester, run_dir: Path
):
    """The same without matplotlib: a stand-in pyplot with pyplot's figure registry."""
    stub = pytester.mkpydir("matplotlib")
    (stub / "__init__.py").write_text("def use(backend):\n    pass\n")
    (stub / "pyplot.py").write_text(
        "_figures = []\n"
        "def figure():\n"
        "    _figures.append(len(_figures) + 1)\n"
        "    return _figures[-1]\n"
        "def close(number):\n"
        "    _figures.remove(number)\n"
        "def get_fignums():\n"
        "    return sorted(_figures)\n"
    )
    pytester.makepyfile(test_figures=FIGURES)
    check_figures(pytester, run_dir)


GARBAGE = """
    def test_makes_a_cycle_of_garbage():
        cycle = [bytearray(64 << 20)]
        for offset in range(0, 64 << 20, 4096):
            cycle[0][offset] = 1  # resident
        cycle.append(cycle)

    def test_makes_none():
        pass
    """


def test_gc_after_each_test_says_what_it_freed(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(test_garbage=GARBAGE)
    result = pytester.runpytest_subprocess(*PLUGIN, "--blackbox-gc-after-each")
    result.assert_outcomes(passed=2)
    after = after_records(run_dir)
    cycle = after["test_garbage.py::test_makes_a_cycle_of_garbage"]
    assert cycle["gc_freed"] >= 60 << 20
    assert cycle["gc_objects"] >= 1  # the list (the collector does not track a bytearray)
    assert cycle["gc_s"] >= 0
    assert abs(after["test_garbage.py::test_makes_none"]["gc_freed"]) < 4 << 20
    assert "left" not in cycle
    result.stdout.fnmatch_lines(
        [
            "*= blackbox: garbage collection after each test =*",
            "2 tests: gc.collect() freed 6?.? MiB of resident memory in all (* objects, *s spent)",
            "where it freed most (1):",
            "    6?.? MiB  * objects  test_garbage.py::test_makes_a_cycle_of_garbage",
        ]
    )


def test_gc_and_sentinels_under_xdist_summed_up_by_the_controller(
    pytester: pytest.Pytester, run_dir: Path
):
    pytest.importorskip("xdist")
    pytester.makepyfile(test_garbage=GARBAGE, test_leavers=LEAVERS)
    result = pytester.runpytest_subprocess(
        *PLUGIN, "-n", "2", "--dist", "loadfile", "--blackbox-gc-after-each", "--blackbox-sentinels"
    )
    result.assert_outcomes(passed=8)
    records = [r for rs in journals(run_dir).values() for r in rs if r["ev"] == "after_test"]
    assert len(records) == 8  # one per test: each has the collection's figures
    result.stdout.fnmatch_lines(
        [
            "8 tests: gc.collect() freed * of resident memory in all*",
            "*6?.? MiB  * objects  test_garbage.py::test_makes_a_cycle_of_garbage",
            "file descriptors (1 test):",
        ]
    )


def test_nothing_after_each_test_unless_asked(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(test_garbage=GARBAGE, test_leavers=LEAVERS)
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=8)
    assert after_records(run_dir) == {}
    assert "left things behind" not in result.stdout.str()
    assert "garbage collection" not in result.stdout.str()
