"""The limit_memory and limit_leaks markers: budgets on real allocations, in every recorded run."""

from pathlib import Path

import pytest
from recording import by_test, journal, phase_ends

from pytest_blackbox.budgets import format_size, parse_size

PLUGIN = ("-p", "pytest_blackbox.plugin")


@pytest.mark.parametrize(
    "text, size",
    [
        ("100 MB", 100 << 20),
        ("100MB", 100 << 20),
        ("1.5 GB", 3 << 29),
        ("100 KiB", 100 << 10),
        ("300M", 300 << 20),
        ("512", 512),
        ("100 B", 100),
        ("+100 KB", 100 << 10),
        ("3 Mb", 3 << 20),
        ("2 gib", 2 << 30),
        (".5 MB", 1 << 19),
    ],
)
def test_sizes_read_as_pytest_memray_reads_them_in_powers_of_1024(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "100 XB", "-1 MB", "1 i", "MB", None, [1]])
def test_what_is_not_a_size_is_refused(text):
    with pytest.raises(ValueError):
        parse_size(text)


def test_sizes_are_written_for_people():
    assert format_size(3 << 19) == "1.5 MiB"
    assert format_size(-(200 << 10)) == "-200.0 KiB"
    assert format_size(512) == "512 B"


BUDGETS = """
    import pytest

    kept = []

    @pytest.mark.limit_memory("100 MB")
    def test_under_its_budget():
        data = b"x" * (40 << 20)  # every page written: resident
        assert len(data) == 40 << 20

    @pytest.mark.limit_memory("100 MB")
    def test_over_its_budget():
        data = b"x" * (150 << 20)
        assert len(data) == 150 << 20

    @pytest.mark.limit_memory("100 MB")
    def test_over_its_budget_for_a_few_milliseconds():
        data = b"x" * (150 << 20)
        del data

    @pytest.mark.limit_leaks("1 MB")
    def test_that_keeps_growing_a_module_list():
        kept.append(b"x" * (4 << 20))

    @pytest.mark.limit_leaks("1 MB")
    def test_that_frees_what_it_used():
        chunks = [b"x" * (1 << 20) for _ in range(40)]
        assert chunks

    @pytest.mark.limit_leaks("1 MB")
    def test_that_drops_a_reference_cycle():
        cycle = [b"x" * (8 << 20)]
        cycle.append(cycle)

    @pytest.fixture
    def big():
        return b"x" * (150 << 20)

    @pytest.mark.limit_memory("100 MB")
    def test_whose_fixture_is_not_in_its_budget(big):
        assert len(big) == 150 << 20

    @pytest.mark.limit_memory(memory_limit="1 GB")
    def test_with_the_keyword_of_pytest_memray():
        data = b"x" * (20 << 20)
        assert data

    @pytest.mark.limit_memory("lots")
    def test_with_a_budget_that_is_not_a_size():
        pass
    """


@pytest.fixture
def budgets_run(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(test_budgets=BUDGETS)
    result = pytester.runpytest_subprocess(*PLUGIN, "--strict-markers")
    if not journal(run_dir)[0]["hwm_reset"]:
        pytest.skip("this kernel does not let a process reset its memory high-water mark")
    return result


def test_a_test_over_its_memory_budget_fails_with_its_figures(budgets_run):
    budgets_run.assert_outcomes(passed=5, failed=4)
    text = budgets_run.stdout.str()
    budgets_run.stdout.fnmatch_lines(
        [
            "*_ test_over_its_budget _*",
            "limit_memory: the call used 1??.? MiB above where it began, over its budget of "
            "100.0 MiB ('100 MB')",
            "(RSS * MiB when the call began, * MiB at its peak, * MiB after it)",
        ]
    )
    assert "test_over_its_budget_for_a_few_milliseconds" in text
    for passed in ("under_its_budget", "frees_what", "reference_cycle", "fixture", "keyword"):
        assert f"FAILED test_budgets.py::test_{passed}" not in text
        assert f"FAILED test_budgets.py::test_whose_{passed}" not in text


def test_a_test_that_keeps_memory_fails_its_leak_budget(budgets_run):
    budgets_run.stdout.fnmatch_lines(
        [
            "*_ test_that_keeps_growing_a_module_list _*",
            "limit_leaks: the call left ?.? MiB more resident memory than it began with, over "
            "its budget of 1.0 MiB ('1 MB')",
            "(RSS * MiB when the call began, * MiB after it)",
        ]
    )


def test_a_budget_that_is_not_a_size_fails_the_test_saying_so(budgets_run):
    budgets_run.stdout.fnmatch_lines(["limit_memory: cannot read 'lots' as a size*"])


def test_an_exceeded_budget_is_a_failed_call_in_the_journal(budgets_run, run_dir: Path):
    tests = by_test(journal(run_dir))
    ends = phase_ends(tests["test_budgets.py::test_over_its_budget"])
    assert ends["call"]["outcome"] == "failed"
    assert "limit_memory: the call used" in ends["call"]["longrepr"]
    assert ends["teardown"]["peak_rss"] - ends["teardown"]["rss_before"] >= 140 << 20
    fixture = phase_ends(tests["test_budgets.py::test_whose_fixture_is_not_in_its_budget"])
    assert fixture["call"]["outcome"] == "passed"
    # The test's own figure still covers its whole protocol, the fixture's 150 MiB included.
    assert fixture["teardown"]["peak_rss"] - fixture["teardown"]["rss_before"] >= 140 << 20


def test_budgets_hold_without_any_flag_nor_in_an_unrecorded_run(
    pytester: pytest.Pytester, clean_env
):
    pytester.makepyfile(test_budgets=BUDGETS)
    result = pytester.runpytest_subprocess(*PLUGIN, "--strict-markers")
    result.assert_outcomes(passed=9)  # not recorded: the markers are declared, nothing else
