"""The file Python's faulthandler writes to: `faulthandler/<stem>.txt` (all threads).

pytest's own faulthandler plugin points faulthandler at stderr when it configures and switches it
off when it unconfigures. The recorder enables it into this file after the first and again after
the second, so a fatal signal during the run and at interpreter exit (atexit handlers, module
teardown, C extensions' destructors) both leave a stack here.
"""

import faulthandler
import os
from pathlib import Path
from typing import Optional

from .journal import open_append


class FaultFile:
    """A descriptor faulthandler can write to at any moment, until the process ends."""

    __slots__ = ("fd",)

    _kept: Optional["FaultFile"] = None  # the file left enabled for the interpreter's exit

    def __init__(self, path: Path) -> None:
        """Create (append to) the file; raises OSError."""
        self.fd = open_append(path)

    def enable(self) -> None:
        """Send faulthandler's stacks of every thread here (replacing any other target)."""
        # faulthandler keeps no reference to a plain descriptor: the owner keeps it open.
        faulthandler.enable(self.fd, all_threads=True)

    def register_dump(self, signum: int) -> None:
        """Dump every thread's stack here on `signum`, without stopping the process.

        It works even while a thread is stuck in C code holding the GIL: faulthandler's
        handler runs in C. Whoever sends the signal first appends a `# blackbox: ` line, so
        the dumps of one file can be told apart.
        """
        faulthandler.register(signum, file=self.fd, all_threads=True, chain=False)

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
