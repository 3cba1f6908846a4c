"""Each test's own peak memory and CPU time, exact and cheap (docs/formats/journal.md).

The kernel keeps a process's resident high-water mark; writing "5" to /proc/self/clear_refs
resets it to the current RSS. On kernels where that also resets getrusage's ru_maxrss, one
getrusage() after the test (about 1 µs) gives both the peak and the CPU times; elsewhere VmHWM
from /proc/self/status (7-10 µs) gives the peak. Which holds is checked once, at start-up, with
a short allocation. Where clear_refs cannot be written (Android, some containers) there is no
exact per-test peak: the supervisor's samples stand in for it, marked as sampled.

Memory held by child processes a test starts is not in these figures; the supervisor's samples
of the whole process tree cover it.
"""

import os
import resource
from typing import Optional

PROBE_BYTES = 32 << 20
"""Allocated and freed once at start-up to see whether the reset really lowers the mark."""

_getrusage = resource.getrusage
_SELF = resource.RUSAGE_SELF


class PeakMeter:
    """Resets the high-water mark when a test starts and reads it when the test ends."""

    __slots__ = ("source", "_clear_fd", "_status_fd", "_user", "_sys")

    def __init__(self) -> None:
        self.source: Optional[str] = None  # "rusage", "status", or None: no exact peak here
        self._clear_fd = -1
        self._status_fd = -1
        self._user = self._sys = 0.0
        try:
            self._probe()
        except OSError:
            self.close()

    def _probe(self) -> None:
        self._clear_fd = os.open("/proc/self/clear_refs", os.O_WRONLY | os.O_CLOEXEC)
        spike = bytearray(PROBE_BYTES)
        for offset in range(0, PROBE_BYTES, 4096):
            spike[offset] = 1  # touch every page: resident, then freed
        del spike
        before_kib = _getrusage(_SELF).ru_maxrss
        os.write(self._clear_fd, b"5")
        dropped_kib = (PROBE_BYTES >> 10) // 2
        if before_kib - _getrusage(_SELF).ru_maxrss >= dropped_kib:
            self.source = "rusage"
            return
        self._status_fd = os.open("/proc/self/status", os.O_RDONLY | os.O_CLOEXEC)
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

    def start(self) -> None:
        """A test starts: reset the mark and note the CPU times so far."""
        if self._clear_fd >= 0:
            try:
                os.write(self._clear_fd, b"5")
            except OSError:
                self.close()
        usage = _getrusage(_SELF)
        self._user = usage.ru_utime
        self._sys = usage.ru_stime

    def finish(self) -> str:
        """A test ended: its figures as the `end` record's keys (`,"key":value...`)."""
        usage = _getrusage(_SELF)
        user, system = usage.ru_utime - self._user, usage.ru_stime - self._sys
        cpu = f',"cpu_user":{user:.6f},"cpu_sys":{system:.6f}'
        if self.source == "rusage":
            return f',"peak_rss":{usage.ru_maxrss << 10}{cpu}'
        if self.source == "status":
            try:
                hwm_kib = self._vm_hwm_kib()
            except (OSError, ValueError):
                hwm_kib = None
            if hwm_kib is not None:
                return f',"peak_rss":{hwm_kib << 10}{cpu}'
        return cpu

    def close(self) -> None:
        """Stop measuring peaks (CPU times go on)."""
        self.source = None
        for fd in (self._clear_fd, self._status_fd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._clear_fd = self._status_fd = -1
