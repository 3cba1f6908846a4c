"""The writer of one process's journal and collected-items files.

Durability contract (docs/formats/journal.md): each file is opened with O_APPEND and every
record reaches the kernel with exactly one write(). A write() that returned is in the page cache
and survives any death of this process (SIGKILL, OOM kill, segfault, os._exit); Python's
buffered file objects would lose it, so none are used. With `fsync`, an fdatasync() follows every
record, for kernel panics and power loss (it costs ~0.1 ms a record on ext4).

Robustness contract: a write that fails (a full disk) never affects the test run. The journal
then stalls, with one warning on the stderr pytest started with: records wait in memory (up to
BACKLOG_BYTES, whole and in order) and every later write first tries to write them out, each
whole or not at all (what a short write put in is taken back, on every try), so a disk that is
freed again loses nothing and the journal never holds a torn record; past the bound, records
are counted and dropped, and a `lost` record takes their place in the journal once writing
works again. While the journal
cannot be written, its `.lost` file (room reserved when recording starts, so it can be written
on a full disk) says since when and how much is missing, and whether pytest still finished its
session: the post-mortem then reads "recording lost", never a crash that did not happen. Files
are created in the run directory without following links (run_files.py).
"""

import errno
import os
import time
from collections import deque
from pathlib import Path
from typing import Deque, Optional, Tuple

from . import records, run_files

_WARNING_PREFIX = "pytest-blackbox: recording disabled: "
_STALL_PREFIX = "pytest-blackbox: recording stalled: "
_datasync = getattr(os, "fdatasync", os.fsync)  # fdatasync is Linux's; fsync elsewhere

BACKLOG_BYTES = 1 << 20
"""Journal records kept in memory while they cannot be written (some thousands of tests)."""

LOST_FILE_BYTES = 4096
"""Room reserved for the `.lost` file (one short JSON line)."""


def open_append(path: Path) -> int:
    """Open (create) `path`, a file of a run-directory folder, for appending; raises OSError."""
    return run_files.create(path.parent.parent, path.parent.name, path.name)


def warn(message: str, stderr_fd: int = 2) -> None:
    """Write one warning line to `stderr_fd`, ignoring any failure to do so."""
    try:
        os.write(stderr_fd, f"{message}\n".encode("utf-8", "replace"))
    except OSError:
        pass


class _Stall:
    """A journal that cannot be written right now: the records that wait (whole, in order, each
    with when it was kept), what was dropped, and since when the journal misses something."""

    __slots__ = (
        "fd",
        "waiting",
        "waiting_bytes",
        "rest",
        "rest_ns",
        "collected",
        "dropped",
        "dropped_ns",
        "failed_ns",
        "reason",
    )

    def __init__(self, fd: int, failed_ns: int, reason: str) -> None:
        self.fd = fd
        self.waiting: Deque[Tuple[int, bytes]] = deque()  # (ns kept, record) not written yet
        self.waiting_bytes = 0
        self.rest = bytearray()  # the end of a torn record that could not be taken back
        self.rest_ns = failed_ns
        self.collected = bytearray()  # collected-items bytes not written yet
        self.dropped = 0  # records dropped since the last `lost` record
        self.dropped_ns = failed_ns  # when the first of them was dropped
        self.failed_ns = failed_ns
        self.reason = reason

    def add(self, data: bytes, ns: int) -> None:
        """Keep a record for later, or count it as lost. Once records were dropped, every later
        one is dropped too until the gap is closed, so the `lost` record marks the right place."""
        if self.dropped == 0 and self.waiting_bytes + len(data) <= BACKLOG_BYTES:
            self.waiting.append((ns, data))
            self.waiting_bytes += len(data)
        else:
            if self.dropped == 0:
                self.dropped_ns = ns
            self.dropped += 1

    def flush(self, collected_fd: int) -> bool:
        """Write out what waits (and a `lost` record for what was dropped), each record whole
        or not at all on every try, so that the journal holds whole records only; True when
        done."""
        try:
            if collected_fd >= 0:
                _drain(collected_fd, self.collected)
            _drain(self.fd, self.rest)  # completes its line: it could not be taken back
            while self.waiting:
                ns, data = self.waiting[0]
                try:
                    _append(self.fd, data)
                except _TornRecord as torn:
                    torn_record = True
                    self.rest, self.rest_ns = bytearray(torn.rest), ns  # its end goes first
                else:
                    torn_record = False
                self.waiting.popleft()
                self.waiting_bytes -= len(data)
                if torn_record:
                    return False
            if self.dropped:
                line = records.lost(time.monotonic_ns(), self.dropped_ns, self.dropped, self.reason)
                try:
                    _append(self.fd, line.encode())
                except _TornRecord as torn:
                    self.rest, self.rest_ns = bytearray(torn.rest), self.dropped_ns
                    self.dropped = 0  # said by the torn record, completed first
                    return False
                self.dropped = 0
        except OSError:
            return False
        return True

    def since_ns(self) -> int:
        """When the first record the journal misses was to be written."""
        if self.rest:
            return self.rest_ns
        if self.waiting:
            return self.waiting[0][0]
        return self.dropped_ns if self.dropped else self.failed_ns

    def missing(self) -> int:
        """Records not in the journal now: dropped, waiting, and a torn one."""
        return self.dropped + len(self.waiting) + (1 if self.rest else 0)


class Journal:
    """Appends records to `journal/<stem>.jsonl` and items to `collected/<stem>.jsonl`."""

    __slots__ = (
        "_fd",
        "_collected_fd",
        "_lost_fd",
        "_fsync",
        "_stderr_fd",
        "_name",
        "_stall",
        "stem",
    )

    def __init__(self, run_dir: Path, stem: str, fsync: bool) -> None:
        """Create both files (and the reserved `.lost` file); raises OSError (nothing stays open
        then)."""
        self.stem = stem
        self._name = f"journal/{stem}.jsonl"
        self._fsync = fsync
        self._fd = -1
        self._collected_fd = -1
        self._lost_fd = -1
        self._stall: Optional[_Stall] = None
        # pytest redirects fd 2 while it captures a test's output: warnings go to a copy of
        # the stderr pytest started with, taken here (capture is suspended during configure).
        self._stderr_fd = os.dup(2) if _fd_is_open(2) else -1
        try:
            self._fd = run_files.create(run_dir, "journal", f"{stem}.jsonl")
            self._collected_fd = run_files.create(run_dir, "collected", f"{stem}.jsonl")
            self._lost_fd = _reserve_lost_file(run_dir, stem)
        except OSError:
            self.close()
            raise

    @property
    def active(self) -> bool:
        """False once recording was disabled (or the journal was closed)."""
        return self._fd >= 0 or self._stall is not None

    def write(self, line: str) -> None:
        """Append one record (a complete line) with one write(); never raises OSError."""
        fd = self._fd
        if fd < 0:
            if self._stall is not None:
                self._stalled_write(line.encode())
            return
        data = line.encode()
        try:
            written = os.write(fd, data)
            if written != len(data):
                self._short_write(fd, data, written)
                return
            if self._fsync:
                _datasync(fd)
        except OSError as error:
            self._stall_on(error, record=data)

    def _write(self, fd: int, data: bytes) -> None:
        """write() off the hot path (after a stall)."""
        self._short_write(fd, data, 0)

    def _short_write(self, fd: int, data: bytes, written: int) -> None:
        """The kernel took `written` bytes of a record: the next write says why (a full disk),
        or takes the rest."""
        try:
            _append(fd, data, written)
            if self._fsync:
                _datasync(fd)
        except _TornRecord as torn:
            self._stall_on(torn.error, rest=torn.rest)
        except OSError as error:
            self._stall_on(error, record=data)

    def write_collected(self, text: str) -> None:
        """Append the collected items in as few writes as the kernel allows; never raises."""
        fd = self._collected_fd
        if fd < 0:
            return
        if self._stall is not None:
            self._stall.collected += text.encode()
            self._stalled_write(b"")
            return
        data = bytearray(text.encode())
        try:
            _drain(fd, data)
            if self._fsync:
                _datasync(fd)
        except OSError as error:
            if self._fd >= 0:
                self._stall_on(error)
            if self._stall is not None:
                self._stall.collected += data

    def close(self) -> None:
        """Close every descriptor; later writes are ignored. Called when the session ended in
        order: a journal still stalled then says so in its `.lost` file."""
        stall = self._stall
        if stall is not None and not stall.flush(self._collected_fd):
            self._mark_lost(stall, ended=True)
        elif stall is not None:
            self._mark_lost(stall, recovered=True)
        self._stall = None
        if stall is not None:
            self._fd = stall.fd
        for fd in (self._fd, self._collected_fd, self._lost_fd, self._stderr_fd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._fd = self._collected_fd = self._lost_fd = self._stderr_fd = -1

    def warn(self, message: str) -> None:
        """Write one warning line to the stderr pytest started with, even during capture."""
        warn(message, self._stderr_fd if self._stderr_fd >= 0 else 2)

    def _stall_on(self, error: OSError, record: bytes = b"", rest: bytes = b"") -> None:
        """The first failed write: keep the `record` that is not in the journal (or the `rest`
        of one torn that could not be taken back) and stall."""
        reason = _reason(error)
        now = time.monotonic_ns()
        stall = _Stall(self._fd, now, reason)
        stall.rest += rest
        if record:
            stall.add(record, now)
        self._stall = stall
        self._fd = -1
        self._mark_lost(stall)
        self.warn(
            f"{_STALL_PREFIX}cannot write {self._name}: {reason}; records wait in memory and "
            "what is lost will be said"
        )

    def _stalled_write(self, data: bytes) -> None:
        """While stalled: write out what waits first; then this record, or keep it."""
        stall = self._stall
        since = stall.since_ns()
        if stall.flush(self._collected_fd):
            self._mark_lost(stall, recovered=True)
            self._stall = None
            self._fd = stall.fd
            if data:
                self._write(stall.fd, data)
            return
        if data:
            stall.add(data, time.monotonic_ns())
        if stall.since_ns() != since:
            self._mark_lost(stall)  # some went out: the journal misses less, from later

    def _mark_lost(self, stall: _Stall, ended: bool = False, recovered: bool = False) -> None:
        """Rewrite the `.lost` file in place (its room was reserved: no new space needed)."""
        if self._lost_fd < 0:
            return
        line = records.lost_state(
            time.monotonic_ns(), stall.since_ns(), stall.missing(), stall.reason, ended, recovered
        )
        try:
            os.pwrite(self._lost_fd, line.encode()[: LOST_FILE_BYTES - 1], 0)
        except OSError:
            pass


def warn_disabled(reason: str) -> None:
    """The one warning for a recording that could not even start."""
    warn(_WARNING_PREFIX + reason)


def _drain(fd: int, buffer: bytearray) -> None:
    """Write `buffer` out, removing what was written; raises OSError with the rest kept."""
    while buffer:
        written = os.write(fd, buffer)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        del buffer[:written]


class _TornRecord(Exception):
    """A record a failed write tore, whose head could not be taken back out of the file."""

    def __init__(self, error: OSError, rest: bytes) -> None:
        super().__init__(error)
        self.error = error
        self.rest = rest  # its unwritten end


def _append(fd: int, data: bytes, written: int = 0) -> None:
    """Append one record whole (`written` of its bytes are in already), or leave the file as it
    was: what a short write put in is taken back (this process is the file's only writer) when
    a later write fails, on the first try as on every retry, so that the journal never holds a
    torn record that later records would follow. Raises OSError when the record is not in the
    file, _TornRecord when its head could not be taken back."""
    rest = bytearray(data[written:]) if written else bytearray(data)
    try:
        _drain(fd, rest)
    except OSError as error:
        if len(rest) < len(data) and not _take_back(fd, len(data) - len(rest)):
            raise _TornRecord(error, bytes(rest)) from error
        raise


def _take_back(fd: int, written: int) -> bool:
    """Remove the last `written` bytes of the file (this process is its only writer)."""
    try:
        os.ftruncate(fd, os.fstat(fd).st_size - written)
    except OSError:
        return False
    return True


def _reserve_lost_file(run_dir: Path, stem: str) -> int:
    """`lost/<stem>.lost` with its room allocated and nothing said in it (a NUL first), or
    -1 when the disk has no room."""
    fd = run_files.create(run_dir, "lost", f"{stem}.lost", append=False)
    try:
        os.posix_fallocate(fd, 0, LOST_FILE_BYTES)
        os.pwrite(fd, b"\0", 0)  # an earlier session of this process may have said something
    except (OSError, AttributeError):
        os.close(fd)
        return -1
    return fd


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _fd_is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True
