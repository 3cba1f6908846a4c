"""The file Python's faulthandler writes to: `faulthandler/<stem>.txt` (all threads).

pytest's own faulthandler plugin points faulthandler at stderr when it configures and switches it
off when it unconfigures. The recorder enables it into this file after the first and again after
the second, so a fatal signal during the run and at interpreter exit (atexit handlers, module
teardown, C extensions' destructors) both leave a stack here.
"""

import faulthandler
import os
import signal
import threading
from pathlib import Path
from typing import Optional

from .journal import open_append


MARKER = b"# blackbox: "
"""Starts the line the supervisor appends before it asks for a dump (docs/formats/journal.md)."""

HANG_MARKER = MARKER + b"hang"


def _last_marker(path: str) -> bytes:
    """The last marker line of the file (b"" when none)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            size = os.fstat(fd).st_size
            tail = os.pread(fd, 65536, max(0, size - 65536))
        finally:
            os.close(fd)
    except OSError:
        return b""
    at = tail.rfind(b"\n" + MARKER)
    start = at + 1 if at >= 0 else (0 if tail.startswith(MARKER) else -1)
    if start < 0:
        return b""
    end = tail.find(b"\n", start)
    return tail[start : end if end >= 0 else len(tail)]


class FaultFile:
    """A descriptor faulthandler can write to at any moment, until the process ends."""

    __slots__ = ("fd", "path")

    _kept: Optional["FaultFile"] = None  # the file left enabled for the interpreter's exit

    def __init__(self, path: Path) -> None:
        """Create (append to) the file; raises OSError."""
        self.fd = open_append(path)
        self.path = str(path)

    def enable(self) -> None:
        """Send faulthandler's stacks of every thread here (replacing any other target)."""
        # faulthandler keeps no reference to a plain descriptor: the owner keeps it open.
        faulthandler.enable(self.fd, all_threads=True)

    def register_dump(self, signum: int) -> None:
        """Dump every thread's stack here on `signum`.

        faulthandler's handler runs in C, so the dump is written even while a thread is stuck
        in C code holding the GIL. Whoever sends the signal first appends a line starting with
        MARKER, so the dumps of one file can be told apart. When that line says the process
        hangs, it stops itself (SIGSTOP) as soon as Python runs again: the signal interrupts a
        blocking call (a sleep), which would otherwise return and let the test go on before
        the supervisor's SIGKILL lands.

        Python lets only the main thread set a signal handler, and an xdist worker may run
        pytest in another thread (execnet runs the worker's code there when its main thread is
        busy). There the dump is registered alone, unchained (chaining would reach SIGUSR2's
        default action, which ends the process): the stack is still written, and the
        supervisor's SIGKILL follows without the stop.
        """
        path = self.path
        if threading.current_thread() is not threading.main_thread():
            faulthandler.register(signum, file=self.fd, all_threads=True, chain=False)
            return

        def after_dump(signum, frame):
            """Stop here when the dump was asked for a hang; the supervisor kills the process."""
            if _last_marker(path).startswith(HANG_MARKER):
                os.kill(os.getpid(), signal.SIGSTOP)

        signal.signal(signum, after_dump)
        faulthandler.register(signum, file=self.fd, all_threads=True, chain=True)

    def keep_for_exit(self) -> None:
        """Enable this file for good: its descriptor stays open until the process ends.

        Only the last file kept this way can still receive a stack (pytest run several times
        in one process, as pytester does): the one it replaces is closed.
        """
        self.enable()
        previous, FaultFile._kept = FaultFile._kept, self
        if previous is not None and previous is not self:
            previous.close()

    def close(self) -> None:
        """Close the descriptor; only when faulthandler was pointed elsewhere first."""
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1
