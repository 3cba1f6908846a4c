"""The writer of one process's journal and collected-items files.

Durability contract (docs/formats/journal.md): each file is opened with O_APPEND and every
record reaches the kernel with exactly one write(). A write() that returned is in the page cache
and survives any death of this process (SIGKILL, OOM kill, segfault, os._exit); Python's
buffered file objects would lose it, so none are used. With `fsync`, an fdatasync() follows every
record, for kernel panics and power loss (it costs ~0.1 ms a record on ext4).

Robustness contract: the first OSError or short write (full disk, vanished or unwritable run
directory) disables the writer for good, with one warning on the stderr pytest started with;
the test run itself is never affected.
"""

import errno
import os
from pathlib import Path

_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
_WARNING_PREFIX = "pytest-blackbox: recording disabled: "
_datasync = getattr(os, "fdatasync", os.fsync)  # fdatasync is Linux's; fsync elsewhere


def open_append(path: Path) -> int:
    """Open (creating) `path` for appending; raises OSError."""
    return os.open(path, _OPEN_FLAGS, 0o644)


def warn(message: str, stderr_fd: int = 2) -> None:
    """Write one warning line to `stderr_fd`, ignoring any failure to do so."""
    try:
        os.write(stderr_fd, f"{message}\n".encode("utf-8", "replace"))
    except OSError:
        pass


class Journal:
    """Appends records to `journal/<stem>.jsonl` and items to `collected/<stem>.jsonl`."""

    __slots__ = ("_fd", "_collected_fd", "_fsync", "_stderr_fd", "_name", "stem")

    def __init__(self, run_dir: Path, stem: str, fsync: bool) -> None:
        """Open both files; raises OSError (nothing stays open then)."""
        self.stem = stem
        self._name = f"journal/{stem}.jsonl"
        self._fsync = fsync
        self._fd = -1
        self._collected_fd = -1
        # pytest redirects fd 2 while it captures a test's output: warnings go to a copy of
        # the stderr pytest started with, taken here (capture is suspended during configure).
        self._stderr_fd = os.dup(2) if _fd_is_open(2) else -1
        try:
            self._fd = open_append(run_dir / "journal" / f"{stem}.jsonl")
            self._collected_fd = open_append(run_dir / "collected" / f"{stem}.jsonl")
        except OSError:
            self.close()
            raise

    @property
    def active(self) -> bool:
        """False once recording was disabled by an error (or the journal was closed)."""
        return self._fd >= 0

    def write(self, line: str) -> None:
        """Append one record (a complete line) with one write(); never raises OSError."""
        fd = self._fd
        if fd < 0:
            return
        data = line.encode()
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(errno.ENOSPC, f"short write ({written} of {len(data)} bytes)")
            if self._fsync:
                _datasync(fd)
        except OSError as error:
            self._disable(f"cannot write {self._name}: {_reason(error)}")

    def write_collected(self, text: str) -> None:
        """Append the collected items in as few writes as the kernel allows; never raises."""
        fd = self._collected_fd
        if fd < 0 or self._fd < 0:
            return
        data = memoryview(text.encode())
        try:
            while data:
                written = os.write(fd, data)
                if written <= 0:
                    raise OSError(errno.ENOSPC, "short write")
                data = data[written:]
            if self._fsync:
                _datasync(fd)
        except OSError as error:
            self._disable(f"cannot write collected items: {_reason(error)}")

    def close(self) -> None:
        """Close every descriptor; later writes are ignored."""
        for fd in (self._fd, self._collected_fd, self._stderr_fd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._fd = self._collected_fd = self._stderr_fd = -1

    def warn(self, message: str) -> None:
        """Write one warning line to the stderr pytest started with, even during capture."""
        warn(message, self._stderr_fd if self._stderr_fd >= 0 else 2)

    def _disable(self, reason: str) -> None:
        self.warn(_WARNING_PREFIX + reason)
        self.close()


def warn_disabled(reason: str) -> None:
    """The one warning for a recording that could not even start."""
    warn(_WARNING_PREFIX + reason)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _fd_is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True
