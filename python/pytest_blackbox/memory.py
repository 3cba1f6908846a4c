"""Each test's own peak memory and CPU time, exact and cheap (docs/formats/journal.md).

The kernel keeps a process's resident high-water mark; writing "5" to /proc/self/clear_refs
resets it to the current RSS. On kernels where that also resets getrusage's ru_maxrss, one
getrusage() after the test (about 1 µs) gives both the peak and the CPU times; elsewhere VmHWM
from /proc/self/status (7-10 µs) gives the peak. Which holds is checked once, at start-up, with
a short allocation. Where clear_refs cannot be written (Android, some containers) there is no
exact per-test peak: the supervisor's samples stand in for it, marked as sampled.

ru_maxrss is never below the high-water mark of the program this process was exec'd from (the
kernel keeps it across exec): an xdist worker, started from its controller, inherits the
controller's RSS as a floor. The floor is read once, right after the probe's reset; a peak at or
below it is read from VmHWM instead, so small peaks stay exact there too.

The resident memory when the test starts and after its teardown (to see what a test keeps) cost
almost nothing more: right after the reset the mark above the floor *is* the current RSS, so the
start's getrusage() gives it; otherwise, and at the end, /proc/self/statm is read through a
descriptor kept open (about 1 µs).

Memory held by child processes a test starts is not in these figures; the supervisor's samples
of the whole process tree cover it.

The scheduler's account of the thread that runs the tests (/proc/thread-self/schedstat: its time
on a processor and its time runnable but waiting for one, in ns) is read through a descriptor
kept open, at the start and the end (about 1 µs each): the wait is the machine's doing, not the
test's, and `blackbox compare` forgives it (docs/commands/compare.md). Kernels without
schedstats (CONFIG_SCHED_INFO) have no such file, and the figures are then left out.
"""

import os
import resource
import time
from typing import Optional

PROBE_BYTES = 4 << 20
"""Allocated and freed once at start-up to see whether the reset really lowers the mark (by at
least half of it). Small: it is the most the plugin adds to pytest's peak RSS, once, where
pytest's own peak is low (a small suite); an xdist worker's mark, inherited from its
controller, is above it anyway."""

_getrusage = resource.getrusage
_monotonic_ns = time.monotonic_ns
_SELF = resource.RUSAGE_SELF
_pread = os.pread
_write = os.write
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class PeakMeter:
    """Resets the high-water mark when a test starts and reads it when the test ends."""

    __slots__ = (
        "source",
        "peak",
        "rss_before",
        "rss_after",
        "_clear_fd",
        "_status_fd",
        "_statm_fd",
        "_rusage",
        "_floor",
        "_user",
        "_sys",
        "_wall_ns",
        "_carried",
        "_sched_fd",
        "_sched",
    )

    def __init__(self) -> None:
        self.source: Optional[str] = None  # "rusage", "status", or None: no exact peak here
        self.peak = 0  # the last finished test's peak RSS in bytes; 0 when not measured
        self.rss_before = self.rss_after = -1  # its RSS at start and end; -1 when unreadable
        self._clear_fd = -1
        self._status_fd = -1
        self._rusage = False  # whether the peak (and the RSS after a reset) is ru_maxrss
        self._floor = 0  # bytes: ru_maxrss never reads less (see the module's docstring)
        self._user = self._sys = 0.0
        self._wall_ns = 0
        self._carried = 0  # bytes: the test's peak before a restart_peak(); 0 when none
        self._sched: Optional[bytes] = None  # the thread's schedstat line at the start
        try:
            self._statm_fd = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self._statm_fd = -1
        try:
            # The thread this meter is made on, the one pytest runs tests on.
            self._sched_fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self._sched_fd = -1
        try:
            self._probe()
        except OSError:
            self.close()
        self._rusage = self.source == "rusage"

    def _probe(self) -> None:
        self._clear_fd = os.open("/proc/self/clear_refs", os.O_WRONLY | os.O_CLOEXEC)
        spike = bytearray(PROBE_BYTES)
        for offset in range(0, PROBE_BYTES, 4096):
            spike[offset] = 1  # touch every page: resident, then freed
        del spike
        before_kib = _getrusage(_SELF).ru_maxrss
        os.write(self._clear_fd, b"5")
        dropped_kib = (PROBE_BYTES >> 10) // 2
        after_kib = _getrusage(_SELF).ru_maxrss
        self._status_fd = os.open("/proc/self/status", os.O_RDONLY | os.O_CLOEXEC)
        if before_kib - after_kib >= dropped_kib:
            self.source = "rusage"
            self._floor = after_kib << 10
            return
        hwm_kib = self._vm_hwm_kib()
        if hwm_kib is not None and before_kib - hwm_kib >= dropped_kib:
            self.source = "status"
            return
        self.close()

    def _vm_hwm_kib(self) -> Optional[int]:
        status = os.pread(self._status_fd, 4096, 0)
        at = status.find(b"VmHWM:")
        if at < 0:
            return None
        return int(status[at + 6 : status.index(b"kB", at)])

    def rss(self) -> int:
        """The process's resident memory now, in bytes (-1 when /proc cannot tell)."""
        if self._statm_fd < 0:
            return -1
        try:
            return int(_pread(self._statm_fd, 128, 0).split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            return -1

    def peak_now(self) -> int:
        """The high-water mark since the last reset, in bytes (0 when not measured)."""
        if self._rusage:
            peak = _getrusage(_SELF).ru_maxrss << 10
            if peak > self._floor:
                return peak
        hwm = self._hwm_bytes()
        return 0 if hwm is None else hwm

    def _reset_mark(self) -> None:
        """Reset the kernel's high-water mark; a refused write ends exact peaks for good."""
        try:
            os.write(self._clear_fd, b"5")
        except OSError:
            self.close()

    def _hwm_bytes(self) -> Optional[int]:
        """VmHWM in bytes, when /proc/self/status can be read."""
        if self.source is None:
            return None
        try:
            kib = self._vm_hwm_kib()
        except (OSError, ValueError):
            return None
        return None if kib is None else kib << 10

    def restart_peak(self) -> int:
        """Measure the rest of the test alone: carry its peak so far into the figure `finish`
        reports and reset the mark. Returns the RSS now in bytes (-1 when unreadable).

        Only the per-test budgets call this (budgets.py), for the tests that carry one."""
        if self.source is not None:
            peak = self.peak_now()
            if peak > self._carried:
                self._carried = peak
            self._reset_mark()
        return self.rss()

    def start(self) -> None:
        """A test starts: reset the mark, note the CPU times and the RSS so far.

        Runs once per test: the helpers are inlined (a method call costs more than the
        comparisons it saves), and the scheduler's figures are kept as read, parsed at the end.
        """
        self._carried = 0
        if self._clear_fd >= 0:
            try:
                _write(self._clear_fd, b"5")
            except OSError:
                self.close()  # a refused write ends exact peaks for good
        self._wall_ns = _monotonic_ns()  # before the CPU times: the interval holds theirs
        usage = _getrusage(_SELF)
        self._user = usage.ru_utime
        self._sys = usage.ru_stime
        # Just reset, the high-water mark is the current RSS, unless the floor hides it.
        maxrss = usage.ru_maxrss << 10
        self.rss_before = maxrss if self._rusage and maxrss > self._floor else self.rss()
        if self._sched_fd >= 0:
            try:
                self._sched = _pread(self._sched_fd, 96, 0)
            except OSError:
                self._sched = None
        else:
            self._sched = None

    def _schedstat(self) -> Optional[bytes]:
        """The test thread's schedstat line: its time on a processor and waiting for one, in
        ns, then its time slices (None: unknown)."""
        if self._sched_fd < 0:
            return None
        try:
            return _pread(self._sched_fd, 96, 0)
        except OSError:
            return None

    def finish(self) -> str:
        """A test ended: its figures as the `end` record's keys (`,"key":value...`)."""
        usage = _getrusage(_SELF)
        # The wall time over which the CPU times were taken: CPU usage is their ratio. The
        # phases' durations pytest reports leave out what runs between them (reports, hooks),
        # which a test of a millisecond or less spends as much CPU on as on itself.
        wall = (_monotonic_ns() - self._wall_ns) / 1e9
        after = -1
        if self._statm_fd >= 0:
            try:
                after = int(_pread(self._statm_fd, 128, 0).split()[1]) * _PAGE
            except (OSError, ValueError, IndexError):
                pass
        self.rss_after = after
        figures = (
            f',"cpu_user":{usage.ru_utime - self._user:.6f},'
            f'"cpu_sys":{usage.ru_stime - self._sys:.6f},"cpu_wall":{wall:.6f}'
        )
        before = self._sched
        if before is not None:
            now = self._schedstat()
            if now is not None:
                figures += _sched_figures(before, now)
        if after >= 0:
            figures = f',"rss_before":{self.rss_before},"rss_after":{after}{figures}'
        if self._rusage:
            peak = usage.ru_maxrss << 10
            if peak > self._floor:
                if peak < self._carried:
                    peak = self._carried
                self.peak = peak
                return f',"peak_rss":{peak}{figures}'
        hwm = self._hwm_bytes()
        if hwm is not None:
            self.peak = peak = max(hwm, self._carried)
            return f',"peak_rss":{peak}{figures}'
        self.peak = 0
        return figures

    def close(self) -> None:
        """Stop measuring peaks (CPU times go on)."""
        self.source = None
        self._rusage = False
        _close(self._clear_fd, self._status_fd)
        self._clear_fd = self._status_fd = -1

    def release(self) -> None:
        """Close every descriptor (the recording ends)."""
        self.close()
        _close(self._statm_fd, self._sched_fd)
        self._statm_fd = self._sched_fd = -1


def _sched_figures(before: bytes, now: bytes) -> str:
    """The `main_cpu` and `run_delay` keys from two schedstat lines ("" when unreadable)."""
    before_fields, now_fields = before.split(), now.split()
    if len(before_fields) < 2 or len(now_fields) < 2:
        return ""
    try:
        ran = (int(now_fields[0]) - int(before_fields[0])) / 1e9
        waited = (int(now_fields[1]) - int(before_fields[1])) / 1e9
    except ValueError:
        return ""
    return f',"main_cpu":{ran:.6f},"run_delay":{waited:.6f}'


def _close(*fds: int) -> None:
    for fd in fds:
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass
