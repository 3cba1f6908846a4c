"""Per-test memory budgets: the `limit_memory` and `limit_leaks` markers (docs/prevention.md).

The markers are pytest-memray's, spelled and sized as it reads them, but measured with the
recorder's own figures, so they work in every recorded run without a flag:

- `limit_memory(SIZE)` fails a test whose call raised the process's resident memory more than
  SIZE above where it stood when the call began: the kernel's exact high-water mark, reset when
  the call begins (memory.PeakMeter.restart_peak), minus the RSS at that moment;
- `limit_leaks(SIZE)` fails a test whose call left the process's resident memory more than SIZE
  above where it stood when the call began, read after a full garbage collection and after
  glibc gave its free memory back to the kernel (malloc_trim), both also done before the first
  reading so that garbage made earlier is not counted as freed by the test.

Both measure the call (the test function's body), as pytest-memray does: a function-scoped
fixture's setup and teardown are not in them. What they measure is resident memory, not
pytest-memray's heap allocations: memory allocated and never touched is not counted, memory
that the allocator keeps after a free still is (see docs/prevention.md).

The marked items are found once, when collection finishes, and only their `runtest` is wrapped:
an unmarked test costs nothing. The check raises pytest's own failure inside the call, so an
exceeded budget is an ordinary failure of the call phase — in pytest's report, in the journal's
`end` record, and so in every report derived from it.
"""

import ctypes
import gc
import re
import warnings
from typing import Callable, List, Optional, Sequence

import pytest

from .memory import PeakMeter

MARKERS = {
    "limit_memory": (
        "limit_memory(size): fail the test when its call raises the process's resident memory "
        'more than `size` ("100 MB", "1.5 GiB") above where it began (pytest-blackbox)'
    ),
    "limit_leaks": (
        "limit_leaks(size): fail the test when its call leaves the process's resident memory "
        "more than `size` above where it began, after a garbage collection (pytest-blackbox)"
    ),
}

NO_PEAK = pytest.PytestWarning(
    "limit_memory not checked: this system does not let a process reset its memory "
    "high-water mark (/proc/self/clear_refs), so there is no exact peak per test"
)

_SIZE = re.compile(r"\s*\+?(\d+(?:\.\d*)?|\.\d+)\s*([kmgtp]?)(i?)(b?)\s*", re.IGNORECASE)
_POWERS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}


def parse_size(text: object) -> int:
    """Bytes in a size as pytest-memray spells it: "100 MB", "1.5GB", "100 KiB", "300M", "512".

    Every unit is a power of 1024 (KB = KiB = K), whatever its case; a number alone is bytes.
    Raises ValueError for anything else (a negative size, an unknown unit, a non-string).
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool) and text >= 0:
        return int(text)
    if not isinstance(text, str):
        raise ValueError(f"a size is a string such as '100 MB', not {text!r}")
    match = _SIZE.fullmatch(text)
    if match is None or (match.group(3) and not match.group(2)):
        raise ValueError(f"cannot read {text!r} as a size (e.g. '100 MB', '1.5 GiB', '512 KB')")
    return int(float(match.group(1)) * (1 << (10 * _POWERS[match.group(2).lower()])))


def format_size(size: int) -> str:
    """A size for people: "1.5 MiB", "-200.0 KiB", "512 B"."""
    magnitude = abs(size)
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if magnitude >= 1 << shift:
            return f"{size / (1 << shift):.1f} {unit}"
    return f"{size} B"


def register_markers(config: pytest.Config) -> None:
    """Declare the markers (for --strict-markers), unless pytest-memray did."""
    declared = {line.split(":", 1)[0].split("(", 1)[0].strip() for line in config.getini("markers")}
    for name, line in MARKERS.items():
        if name not in declared:
            config.addinivalue_line("markers", line)


def arm(items: Sequence[pytest.Item], meter: PeakMeter) -> int:
    """Wrap the `runtest` of every item that carries a budget; returns how many were armed."""
    armed = 0
    for item in items:
        memory = item.get_closest_marker("limit_memory")
        leaks = item.get_closest_marker("limit_leaks")
        if memory is None and leaks is None:
            continue
        runtest = getattr(item, "runtest", None)
        if runtest is None:
            continue
        item.runtest = _Budgeted(
            runtest, meter, _limit(memory, "memory_limit"), _limit(leaks, "location_limit")
        )
        armed += 1
    return armed


class _Limit:
    """A marker's budget in bytes, or the reason its argument could not be read."""

    __slots__ = ("text", "size", "error")

    def __init__(self, text: str, size: int, error: Optional[str]) -> None:
        self.text = text
        self.size = size
        self.error = error


def _limit(mark, keyword: str) -> Optional[_Limit]:
    """The budget of a `limit_memory`/`limit_leaks` mark (its first argument, or the keyword
    pytest-memray names it with); None without the mark."""
    if mark is None:
        return None
    value = mark.args[0] if mark.args else mark.kwargs.get(keyword)
    try:
        return _Limit(str(value), parse_size(value), None)
    except ValueError as error:
        return _Limit(str(value), 0, f"{mark.name}: {error}")


class _Budgeted:
    """A test's `runtest`, measured against its budgets."""

    __slots__ = ("runtest", "meter", "memory", "leaks")

    def __init__(
        self,
        runtest: Callable[[], None],
        meter: PeakMeter,
        memory: Optional[_Limit],
        leaks: Optional[_Limit],
    ) -> None:
        self.runtest = runtest
        self.meter = meter
        self.memory = memory
        self.leaks = leaks

    def __call__(self) -> None:
        for limit in (self.memory, self.leaks):
            if limit is not None and limit.error is not None:
                pytest.fail(limit.error, pytrace=False)
        if self.leaks is not None:
            _release_garbage()
        before = self.meter.restart_peak()
        self.runtest()  # a test that fails on its own is not measured
        peak = self.meter.peak_now() if self.memory is not None else 0
        if self.leaks is not None:
            _release_garbage()
        after = self.meter.rss()
        if self.memory is not None and not peak:
            warnings.warn(NO_PEAK)
        failures = self._exceeded(before, peak, after)
        if failures:
            where = f"RSS {format_size(before)} when the call began"
            if peak:
                where += f", {format_size(peak)} at its peak"
            where += f", {format_size(after)} after it"
            pytest.fail("\n".join(failures + [f"({where})"]), pytrace=False)

    def _exceeded(self, before: int, peak: int, after: int) -> List[str]:
        failures = []
        memory, leaks = self.memory, self.leaks
        if before < 0 or after < 0:
            return failures  # /proc/self/statm unreadable: nothing to measure against
        if memory is not None and peak and peak - before > memory.size:
            failures.append(
                f"limit_memory: the call used {format_size(peak - before)} above where it "
                f"began, over its budget of {format_size(memory.size)} ({memory.text!r})"
            )
        if leaks is not None and after - before > leaks.size:
            failures.append(
                f"limit_leaks: the call left {format_size(after - before)} more resident "
                f"memory than it began with, over its budget of {format_size(leaks.size)} "
                f"({leaks.text!r})"
            )
        return failures


_malloc_trim: Optional[Callable[[int], int]] = None
_malloc_trim_looked_up = False


def _release_garbage() -> None:
    """Collect every generation, then have glibc return its free pages to the kernel (absent
    elsewhere, e.g. Android's bionic or musl: the collection alone then)."""
    global _malloc_trim, _malloc_trim_looked_up
    gc.collect()
    if not _malloc_trim_looked_up:
        _malloc_trim_looked_up = True
        try:
            _malloc_trim = ctypes.CDLL(None).malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = None
    if _malloc_trim is not None:
        _malloc_trim(0)
