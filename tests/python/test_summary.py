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
    hungriest = lines.index("most memory-hungry 5 (peak RSS of the process):")
    # The sleepers are listed, slowest first; where the allocation ranks depends on the load.
    slowest = lines[1:hungriest]
    names = [line.split()[1] for line in slowest]
    seconds = [float(line.split()[0].rstrip("s")) for line in slowest]
    assert {"test_it.py::test_slow", "test_it.py::test_medium"} <= set(names)
    assert seconds == sorted(seconds, reverse=True)
    assert seconds[names.index("test_it.py::test_slow")] >= 0.6
    ranked = lines[hungriest + 1 :]
    assert len(ranked) == 5
    assert ranked[0].endswith("  test_it.py::test_hungry")
    peak_mib = float(ranked[0].split()[0])
    grew_mib = float(ranked[0].split("(+")[1].split()[0])
    assert peak_mib > 120 and 110 < grew_mib < 130


def test_the_size_is_chosen(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(test_it=SUITE)
    result = pytester.runpytest_subprocess(*PLUGIN, "--blackbox-summary", "1")
    lines = section(result.stdout.lines)
    assert lines[0] == "slowest 1 (setup + call + teardown):"
    assert lines[2] == "most memory-hungry 1 (peak RSS of the process):"
    assert len(lines) == 4


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
