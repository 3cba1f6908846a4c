"""The terminal summary: the slowest and the most memory-hungry tests of the session.

The process that prints (the main process; under xdist the controller) keeps the top N of each
as the tests end: a test that does not beat the current N-th costs one comparison. Under xdist
the figures are measured in the workers and travel on the teardown report (`REPORT_ATTRIBUTE`:
xdist serialises a report's extra attributes), so the controller ranks every test.
"""

import heapq
from typing import List, Optional, Tuple

import pytest

DEFAULT_SIZE = 5
SHOWN_FROM_S = 0.005
"""Shorter tests are not listed among the slowest (pytest's --durations hides them too)."""
SUMMARY_HELP = "show the N slowest and N most memory-hungry tests at the end (default 5; 0: none)"

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

    __slots__ = ("slowest", "hungriest")

    def __init__(self, size: int) -> None:
        self.slowest = Leaders(size)
        self.hungriest = Leaders(size)

    def add(self, nodeid: str, total: float, peak: int, rss_before: int) -> None:
        """A test ended after `total` seconds of phases, with its process's `peak` RSS."""
        if total > self.slowest.floor:
            self.slowest.offer(total, nodeid)
        if peak > self.hungriest.floor:
            self.hungriest.offer(peak, nodeid, rss_before)

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
            terminal.write_line(f"most memory-hungry {len(hungriest)} (peak RSS of the process):")
            for peak, nodeid, before in hungriest:
                terminal.write_line(f"  {_mib(peak)}{_growth(peak, before)}  {nodeid}")


def size_of(config: pytest.Config) -> int:
    """The N of `--blackbox-summary` (ini `blackbox_summary`), never negative."""
    value: Optional[object] = config.getoption("blackbox_summary")
    if value is None:
        value = config.getini("blackbox_summary") or DEFAULT_SIZE
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        raise pytest.UsageError(f"pytest-blackbox: blackbox_summary is a number, not {value!r}")


def _mib(size: int) -> str:
    return f"{size / (1 << 20):9.1f} MiB"


def _growth(peak: int, before: int) -> str:
    """How far above its starting RSS the test went."""
    if before < 0:
        return ""
    return f" (+{max(peak - before, 0) / (1 << 20):.1f} MiB over its start)"
