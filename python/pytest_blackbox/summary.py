"""The terminal summary: the slowest and the most memory-hungry tests of the session.

The process that prints (the main process; under xdist the controller) keeps the top N of each
as the tests end: a test that does not beat the current N-th costs one comparison. Under xdist
the figures are measured in the workers and travel on the teardown report (`REPORT_ATTRIBUTE`:
xdist serialises a report's extra attributes), so the controller ranks every test.

Memory-hungry means what the test added: its process's peak over its memory when it started. A
process's absolute memory says what ran before in it (imports, caches, earlier tests), not what
the test costs; and a test that added less than `--blackbox-hungry-from` is not listed, so the
list is left out when no test added that much.
"""

import heapq
from typing import List, Optional, Tuple

import pytest

from .budgets import format_size, parse_size

DEFAULT_SIZE = 5
SHOWN_FROM_S = 0.005
"""Shorter tests are not listed among the slowest (pytest's --durations hides them too)."""
SUMMARY_HELP = "show the N slowest and N most memory-hungry tests at the end (default 5; 0: none)"
DEFAULT_HUNGRY_FROM = "10 MiB"
HUNGRY_FROM_HELP = (
    "list a test among the most memory-hungry only when it added at least SIZE to its process "
    f"(its peak over its start; default {DEFAULT_HUNGRY_FROM})"
)

REPORT_ATTRIBUTE = "blackbox_metrics"
"""On a teardown report from an xdist worker: [total seconds of the phases, peak RSS in bytes
(0 when not measured), RSS in bytes when the test started (-1 when unknown)]."""


class Leaders:
    """The `size` largest values seen, with their node ids."""

    __slots__ = ("size", "floor", "_heap", "_seen")

    def __init__(self, size: int) -> None:
        self.size = size
        self.floor = 0  # a value must exceed this to enter; raised once the heap is full
        self._heap: List[Tuple[float, int, str, object]] = []
        self._seen = 0

    def offer(self, value: float, nodeid: str, detail: object = None) -> None:
        """Keep (value, nodeid, detail) if it is among the largest; call only above `floor`."""
        self._seen += 1
        entry = (value, -self._seen, nodeid, detail)  # ties: the earlier test first
        if len(self._heap) < self.size:
            heapq.heappush(self._heap, entry)
            if len(self._heap) < self.size:
                return
        else:
            heapq.heapreplace(self._heap, entry)
        self.floor = self._heap[0][0]

    def ranked(self) -> List[Tuple[float, str, object]]:
        """The kept entries, largest first."""
        return [(value, nodeid, detail) for value, _, nodeid, detail in sorted(self._heap)[::-1]]


class Summary:
    """The slowest and the most memory-hungry tests, and their section of the terminal report."""

    __slots__ = ("slowest", "hungriest", "hungry_from")

    def __init__(self, size: int, hungry_from: int = parse_size(DEFAULT_HUNGRY_FROM)) -> None:
        self.slowest = Leaders(size)
        self.hungriest = Leaders(size)
        self.hungry_from = hungry_from

    def add(self, nodeid: str, total: float, peak: int, rss_before: int) -> None:
        """A test ended after `total` seconds of phases, with its process's `peak` RSS (0: not
        measured) and its RSS when it started (`rss_before`, -1: unknown)."""
        if total > self.slowest.floor:
            self.slowest.offer(total, nodeid)
        if peak > 0 and rss_before >= 0:
            added = peak - rss_before
            if added >= self.hungry_from and added > self.hungriest.floor:
                self.hungriest.offer(added, nodeid, peak)

    def add_from_report(self, report: pytest.TestReport) -> None:
        """A worker's teardown report, with its figures attached (`REPORT_ATTRIBUTE`)."""
        figures = report.__dict__.get(REPORT_ATTRIBUTE)
        if figures is not None and len(figures) == 3:
            self.add(report.nodeid, float(figures[0]), int(figures[1]), int(figures[2]))

    def write(self, terminal) -> None:
        """Write the section (nothing when no test ran)."""
        slowest, hungriest = self.slowest.ranked(), self.hungriest.ranked()
        if not slowest and not hungriest:
            return
        terminal.write_sep("=", "blackbox: slowest and most memory-hungry tests")
        shown = [entry for entry in slowest if entry[0] >= SHOWN_FROM_S]
        if shown:
            terminal.write_line(f"slowest {len(shown)} (setup + call + teardown):")
            for total, nodeid, _ in shown:
                terminal.write_line(f"  {total:9.3f}s  {nodeid}")
        else:
            terminal.write_line(f"slowest: no test took {SHOWN_FROM_S}s or more")
        if hungriest:
            terminal.write_line(
                f"most memory-hungry {len(hungriest)} (what the test added to its process, "
                f"its peak over its start; from {format_size(self.hungry_from)}):"
            )
            for added, nodeid, peak in hungriest:
                terminal.write_line(
                    f"  {_added(added)} (peak {peak / (1 << 20):.1f} MiB)  {nodeid}"
                )


def size_of(config: pytest.Config) -> int:
    """The N of `--blackbox-summary` (ini `blackbox_summary`), never negative."""
    value: Optional[object] = config.getoption("blackbox_summary")
    if value is None:
        value = config.getini("blackbox_summary") or DEFAULT_SIZE
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        raise pytest.UsageError(f"pytest-blackbox: blackbox_summary is a number, not {value!r}")


def hungry_from_of(config: pytest.Config) -> int:
    """The SIZE of `--blackbox-hungry-from` (ini `blackbox_hungry_from`) in bytes."""
    value: Optional[object] = config.getoption("blackbox_hungry_from")
    if value is None:
        value = config.getini("blackbox_hungry_from") or DEFAULT_HUNGRY_FROM
    try:
        return parse_size(value)
    except ValueError as error:
        raise pytest.UsageError(f"pytest-blackbox: blackbox_hungry_from: {error}")


def _added(size: int) -> str:
    """ "   +120.0 MiB": what a test added, aligned."""
    return f"{'+' + format(size / (1 << 20), '.1f'):>9} MiB"
