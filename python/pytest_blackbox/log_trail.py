"""Log records that survive the death of the process (`capture/<stem>.log` in the run directory).

pytest keeps captured log records in memory, lost when the process dies. This handler, on the
root logger beside pytest's own, appends every record it sees to a file with one write() each:
after a crash the post-mortem takes the records written since the dying test started. It costs
nothing for a test that does not log: the test's node id is written once, before its first
record, as a separator line.
"""

import logging
import os
from pathlib import Path
from typing import Optional

from . import run_files
from .names import name_bytes

SEPARATOR = "\x1e"
"""Starts the line naming the test whose records follow (ASCII record separator)."""

FORMAT = "%(levelname)-8s %(name)s:%(filename)s:%(lineno)d %(message)s"
"""pytest's default log format."""


class LogTrail(logging.Handler):
    """Appends formatted records to a file, marking where each test's records begin."""

    def __init__(self, path: Path) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(logging.Formatter(FORMAT))
        self.path = path
        self.nodeid: Optional[str] = None  # the test in progress, set by the recorder
        self._written_for: Optional[str] = None
        self._fd = -1

    def emit(self, record: logging.LogRecord) -> None:
        """Write one record (with the test's separator first); never raises."""
        try:
            data = (self.format(record) + "\n").encode("utf-8", "replace")
            if self.nodeid != self._written_for:
                self._written_for = self.nodeid
                # The node id's exact bytes: the post-mortem compares them with its own.
                data = SEPARATOR.encode() + name_bytes(self.nodeid or "") + b"\n" + data
            if self._fd < 0:
                self._fd = run_files.create(self.path.parent.parent, "capture", self.path.name)
            os.write(self._fd, data)
        except Exception:
            pass  # logging must never break a test; the trail just misses a record

    def close(self) -> None:
        """Close the file (the session ended in order)."""
        if self._fd >= 0:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = -1
        super().close()
