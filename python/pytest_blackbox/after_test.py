"""What happens after each test, when asked for: a garbage collection, and the leak sentinels.

Registered only with `--blackbox-gc-after-each` or `--blackbox-sentinels` (docs/prevention.md).
Both run in `pytest_runtest_logfinish`, when the whole protocol of the test is over: its
teardown ran and pytest dropped its fixtures' values, so what is still there is what the test
left. One `after_test` record follows the test's teardown `end` (docs/formats/journal.md) when
there is something to say: the collection's figures, and the kinds of leftovers that went up.

The process that prints (the main process; under xdist the controller, from what each worker
hands over in `workeroutput` when it finishes) sums them up at the end of the terminal report.
"""

import gc
import time
from typing import Callable, Dict, List, Optional, Tuple

import pytest

from . import records
from .budgets import format_size
from .memory import PeakMeter
from .sentinels import KINDS, Sentinels
from .summary import Leaders

GC_HELP = (
    "gc.collect() after each test, and report how much resident memory it freed "
    "(journal, terminal summary)"
)
SENTINELS_HELP = (
    "after each test, name what it left behind: open file descriptors, threads, child "
    "processes, open matplotlib figures (about 15 µs a test)"
)
WORKER_OUTPUT_KEY = "blackbox_after_test"
"""xdist's `workeroutput` key under which a worker hands its tallies to the controller."""

LEAKERS_KEPT = 50
"""The tests named per kind in the terminal summary's tally (all are in the journal)."""

_collect = gc.collect
monotonic_ns = time.monotonic_ns
perf_counter = time.perf_counter

KIND_NAMES = {
    "fds": "file descriptors",
    "threads": "threads",
    "children": "child processes",
    "figures": "matplotlib figures",
}


def add_options(group, parser: pytest.Parser) -> None:
    """--blackbox-gc-after-each and --blackbox-sentinels, and their ini keys."""
    group.addoption("--blackbox-gc-after-each", action="store_true", default=None, help=GC_HELP)
    group.addoption("--blackbox-sentinels", action="store_true", default=None, help=SENTINELS_HELP)
    parser.addini("blackbox_gc_after_each", GC_HELP, type="bool", default=False)
    parser.addini("blackbox_sentinels", SENTINELS_HELP, type="bool", default=False)


def wanted(config: pytest.Config) -> Tuple[bool, bool]:
    """(garbage collection, sentinels): the options win over the ini keys."""
    chosen = []
    for name in ("blackbox_gc_after_each", "blackbox_sentinels"):
        value = config.getoption(name)
        chosen.append(bool(config.getini(name)) if value is None else bool(value))
    return chosen[0], chosen[1]


class Tally:
    """What the collections freed and which tests left what, for the terminal summary."""

    __slots__ = ("gc_tests", "gc_freed", "gc_objects", "gc_s", "gc_most", "leakers", "leaks")

    def __init__(self, size: int) -> None:
        self.gc_tests = 0
        self.gc_freed = 0  # bytes, the sum over tests (a collection can also raise the RSS)
        self.gc_objects = 0
        self.gc_s = 0.0
        self.gc_most = Leaders(size)
        self.leakers: Dict[str, List[Tuple[str, int]]] = {kind: [] for kind in KINDS}
        self.leaks: Dict[str, int] = {kind: 0 for kind in KINDS}  # tests per kind

    def add_gc(self, nodeid: str, freed: int, objects: int, seconds: float) -> None:
        self.gc_tests += 1
        self.gc_freed += freed
        self.gc_objects += objects
        self.gc_s += seconds
        if freed > self.gc_most.floor:
            self.gc_most.offer(freed, nodeid, objects)

    def add_leaks(self, nodeid: str, counts: Dict[str, int]) -> None:
        for kind, count in counts.items():
            self.leaks[kind] = self.leaks.get(kind, 0) + 1
            kept = self.leakers.setdefault(kind, [])
            if len(kept) < LEAKERS_KEPT:
                kept.append((nodeid, count))

    def hand_over(self) -> dict:
        """The tally as plain data, for xdist's `workeroutput`."""
        return {
            "gc": [self.gc_tests, self.gc_freed, self.gc_objects, self.gc_s],
            "gc_most": [[v, n, d] for v, n, d in self.gc_most.ranked()],
            "leakers": {kind: [list(e) for e in kept] for kind, kept in self.leakers.items()},
            "leaks": dict(self.leaks),
        }

    def merge(self, data: dict) -> None:
        """Add a worker's tally (`hand_over`)."""
        tests, freed, objects, seconds = data["gc"]
        self.gc_tests += int(tests)
        self.gc_freed += int(freed)
        self.gc_objects += int(objects)
        self.gc_s += float(seconds)
        for value, nodeid, detail in data["gc_most"]:
            if value > self.gc_most.floor:
                self.gc_most.offer(value, nodeid, detail)
        for kind, count in data["leaks"].items():
            self.leaks[kind] = self.leaks.get(kind, 0) + int(count)
        for kind, kept in data["leakers"].items():
            room = LEAKERS_KEPT - len(self.leakers.setdefault(kind, []))
            self.leakers[kind].extend((str(n), int(c)) for n, c in kept[: max(room, 0)])

    def write(self, terminal, gc_on: bool, sentinels_on: bool) -> None:
        """The terminal summary's sections."""
        if gc_on and self.gc_tests:
            terminal.write_sep("=", "blackbox: garbage collection after each test")
            terminal.write_line(
                f"{self.gc_tests} tests: gc.collect() freed {format_size(self.gc_freed)} of "
                f"resident memory in all ({self.gc_objects} objects, {self.gc_s:.3f}s spent)"
            )
            most = [entry for entry in self.gc_most.ranked() if entry[0] > 0]
            if most:
                terminal.write_line(f"where it freed most ({len(most)}):")
                for freed, nodeid, objects in most:
                    terminal.write_line(
                        f"  {format_size(freed):>10}  {objects:7} objects  {nodeid}"
                    )
        if sentinels_on:
            leaking = [kind for kind in KINDS if self.leaks.get(kind)]
            terminal.write_sep("=", "blackbox: tests that left things behind")
            if not leaking:
                terminal.write_line("none: no test left a file, thread, child process or figure")
            for kind in leaking:
                count = self.leaks[kind]
                terminal.write_line(
                    f"{KIND_NAMES[kind]} ({count} test{'' if count == 1 else 's'}):"
                )
                for nodeid, count in self.leakers[kind]:
                    terminal.write_line(f"  {count:5}  {nodeid}")
                hidden = self.leaks[kind] - len(self.leakers[kind])
                if hidden > 0:
                    terminal.write_line(f"  … and {hidden} more (blackbox show lists them all)")


class AfterTest:
    """The hooks of the after-test measures, in the order pytest calls them."""

    def __init__(
        self,
        write: Callable[[str], None],
        meter: PeakMeter,
        gc_on: bool,
        sentinels_on: bool,
        tally: Optional[Tally],
        original_id: Callable[[str], str],
    ) -> None:
        self.write = write
        self.meter = meter
        self.gc_on = gc_on
        self.sentinels: Optional[Sentinels] = None
        self.sentinels_on = sentinels_on
        self.tally = tally  # None in an xdist worker without a summary
        self.original_id = original_id
        self.controller = False

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Take the first baselines (an xdist controller runs no test: none)."""
        self.controller = session.config.pluginmanager.has_plugin("dsession")
        if self.sentinels_on and not self.controller:
            self.sentinels = Sentinels()

    def rebase(self) -> None:
        """A fixture broader than a function was set up: what it opened is nobody's leak."""
        if self.sentinels is not None:
            self.sentinels.rebase()

    def pytest_runtest_logfinish(self, nodeid: str, location: tuple) -> None:
        """Collect the garbage, look for leftovers, write `after_test` when there is news."""
        if self.controller:
            return
        fields = ""
        if self.gc_on:
            before = self.meter.rss()
            began = perf_counter()
            objects = _collect()
            seconds = perf_counter() - began
            after = self.meter.rss()
            freed = before - after if before >= 0 and after >= 0 else 0
            fields = f',"gc_freed":{freed},"gc_objects":{objects},"gc_s":{seconds:.6f}'
            if self.tally is not None:
                self.tally.add_gc(self.original_id(nodeid), freed, objects, seconds)
        if self.sentinels is not None:
            found = self.sentinels.check()
            if found is not None:
                counts, names = found
                fields += records.leftovers(counts, names)
                if self.tally is not None:
                    self.tally.add_leaks(self.original_id(nodeid), counts)
        if fields:
            self.write(records.after_test(monotonic_ns(), fields))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """An xdist worker hands its tally to the controller."""
        output = getattr(session.config, "workeroutput", None)
        if output is not None and self.tally is not None:
            output[WORKER_OUTPUT_KEY] = self.tally.hand_over()

    def close(self) -> None:
        if self.sentinels is not None:
            self.sentinels.close()
