"""The terminal summary: the slowest and the most memory-hungry tests, with and without xdist."""

from pathlib import Path

import pytest

PLUGIN = ("-p", "pytest_blackbox.plugin")
TITLE = "blackbox: slowest and most memory-hungry tests"

SUITE = """
    import time

    def test_slow():
        time.sleep(0.6)

    def test_hungry():
        data = b"x" * (120 << 20)
        del data

    def test_medium():
        time.sleep(0.3)

    def test_quick_1():
        pass

    def test_quick_2():
        pass

    def test_quick_3():
        pass

    def test_quick_4():
        pass
    """


HUNGRY_TITLE = (
    "most memory-hungry {count} (what the test added to its process, its peak over its start; "
    "from {size}):"
)


def figures(line):
    """(added MiB, peak MiB) of a memory-hungry line: "  +120.0 MiB (peak 154.2 MiB)  id"."""
    added = float(line.split()[0].lstrip("+"))
    peak = float(line.split("(peak ")[1].split()[0])
    return added, peak


def section(lines):
    """The summary's lines, title excluded."""
    start = next(i for i, line in enumerate(lines) if TITLE in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("=="))
    return lines[start + 1 : end]


@pytest.mark.parametrize("xdist", [False, True])
def test_the_summary_names_the_slowest_and_hungriest_tests(
    pytester: pytest.Pytester, run_dir: Path, xdist: bool
):
    if xdist:
        pytest.importorskip("xdist")
    pytester.makepyfile(test_it=SUITE)
    args = ("-n", "2") if xdist else ()
    result = pytester.runpytest_subprocess(*PLUGIN, *args)
    result.assert_outcomes(passed=7)
    assert sum(TITLE in line for line in result.stdout.lines) == 1
    lines = section(result.stdout.lines)
    # Trivial tests are not listed among the slowest; allocating 120 MB may take 5 ms or more.
    assert lines[0] in (
        "slowest 2 (setup + call + teardown):",
        "slowest 3 (setup + call + teardown):",
    )
    # Only the test that added 10 MiB or more is memory-hungry: the others added nothing.
    hungriest = lines.index(HUNGRY_TITLE.format(count=1, size="10.0 MiB"))
    # The sleepers are listed, slowest first; where the allocation ranks depends on the load.
    slowest = lines[1:hungriest]
    names = [line.split()[1] for line in slowest]
    seconds = [float(line.split()[0].rstrip("s")) for line in slowest]
    assert {"test_it.py::test_slow", "test_it.py::test_medium"} <= set(names)
    assert seconds == sorted(seconds, reverse=True)
    assert seconds[names.index("test_it.py::test_slow")] >= 0.6
    (ranked,) = lines[hungriest + 1 :]
    assert ranked.endswith("  test_it.py::test_hungry")
    added_mib, peak_mib = figures(ranked)
    assert peak_mib > 120 and 110 < added_mib < 130


def test_the_size_is_chosen(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(test_it=SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN, "--blackbox-summary", "1")
    lines = section(result.stdout.lines)
    assert lines[0] == "slowest 1 (setup + call + teardown):"
    assert lines[2] == HUNGRY_TITLE.format(count=1, size="10.0 MiB")
    assert len(lines) == 4


# A process that already holds 100 MiB when the tests run: what each test adds, not what its
# process holds, makes it memory-hungry.
HELD_BEFORE = """
    HELD = b"x" * (100 << 20)

    def test_trivial_1():
        pass

    def test_adds_30():
        data = b"x" * (30 << 20)
        del data

    def test_trivial_2():
        pass

    def test_adds_60():
        data = b"x" * (60 << 20)
        del data

    def test_trivial_3():
        pass
    """


@pytest.mark.parametrize("xdist", [False, True])
def test_memory_hungry_means_what_the_test_added(
    pytester: pytest.Pytester, run_dir: Path, xdist: bool
):
    if xdist:
        pytest.importorskip("xdist")
    pytester.makepyfile(test_it=HELD_BEFORE)
    args = ("-n", "2") if xdist else ()
    result = pytester.runpytest_subprocess(*PLUGIN, *args)
    result.assert_outcomes(passed=5)
    lines = section(result.stdout.lines)
    hungriest = lines.index(HUNGRY_TITLE.format(count=2, size="10.0 MiB"))
    ranked = lines[hungriest + 1 :]
    assert [line.split()[-1] for line in ranked] == [
        "test_it.py::test_adds_60",
        "test_it.py::test_adds_30",
    ]
    for line, size in zip(ranked, (60, 30)):
        added, peak = figures(line)
        assert size - 5 < added < size + 10
        assert peak > 100 + size  # the absolute figure, beside what it added


def test_the_threshold_is_chosen_and_nothing_below_it_is_listed(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(test_it=HELD_BEFORE)
    result = pytester.runpytest_subprocess(*PLUGIN, "--blackbox-hungry-from", "45M")
    lines = section(result.stdout.lines)
    hungriest = lines.index(HUNGRY_TITLE.format(count=1, size="45.0 MiB"))
    assert lines[hungriest + 1].endswith("  test_it.py::test_adds_60")
    # No test adds 1 GiB: the memory list says nothing, so it is left out.
    pytester.makeini("[pytest]\nblackbox_hungry_from = 1 GiB\n")
    result = pytester.runpytest_subprocess(*PLUGIN)
    assert not any("memory-hungry" in line for line in section(result.stdout.lines))


def test_a_threshold_that_is_no_size_is_a_usage_error(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile("def test_a():\n    pass\n")
    result = pytester.runpytest_subprocess(*PLUGIN, "--blackbox-hungry-from", "lots")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "blackbox_hungry_from" in result.stderr.str()


def test_zero_turns_the_summary_off(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(test_it=SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN, "--blackbox-summary", "0")
    result.assert_outcomes(passed=7)
    assert not any(TITLE in line for line in result.stdout.lines)


def test_no_summary_without_recording(pytester: pytest.Pytester, clean_env):
    pytester.makepyfile(test_it=SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN)
    result.assert_outcomes(passed=7)
    assert not any(TITLE in line for line in result.stdout.lines)


def test_trivial_tests_are_not_called_slow(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile("def test_a():\n    pass\n")
    result = pytester.runpytest_subprocess(*PLUGIN)
    lines = section(result.stdout.lines)
    assert lines[0] == "slowest: no test took 0.005s or more"
