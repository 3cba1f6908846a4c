"""ct-pytest-monitor's checkpoint file, `CT_PYTEST_CHECKPOINT` (docs/compatibility.md).

Each node id is appended, and fsync'd, when its test starts, by the process that runs it; a
project conftest that still carries ct-pytest-monitor's own hook keeps writing it alone.
"""

import os
from typing import Optional

import pytest

from .files import APPEND_FLAGS, make_parent
from .warning import PREFIX, describe, warn
from ..items import undecorated_group_id

CHECKPOINT_ENV = "CT_PYTEST_CHECKPOINT"


class Checkpoint:
    """ct-pytest-monitor's checkpoint: `nodeid\\n` appended and fsync'd when a test starts."""

    def __init__(self, fd: int, path: str, loadgroup: bool) -> None:
        self.fd = fd
        self.path = path
        self.loadgroup = loadgroup

    @classmethod
    def open(cls, path: str, loadgroup: bool) -> Optional["Checkpoint"]:
        try:
            try:
                fd = os.open(path, APPEND_FLAGS, 0o644)
            except FileNotFoundError:
                make_parent(path)
                fd = os.open(path, APPEND_FLAGS, 0o644)
        except OSError as error:
            warn(f"{PREFIX}cannot open {CHECKPOINT_ENV} {path}: {describe(error)}")
            return None
        return cls(fd, path, loadgroup)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Stand down when a conftest hook of the project (ct-pytest-monitor's) writes the file.

        Every conftest is loaded by now, before the first test: each node id stays one line.
        """
        try:
            hook = session.config.pluginmanager.hook.pytest_runtest_logstart
            for impl in hook.get_hookimpls():
                if impl.plugin is not self and _mentions(impl.function, CHECKPOINT_ENV):
                    self.close()
                    return
        except Exception:  # pluggy internals: keep writing
            pass

    def pytest_runtest_logstart(self, nodeid: str, location: tuple) -> None:
        """Append the starting test's node id and fsync it; on failure warn once and stop."""
        fd = self.fd
        if fd < 0:
            return
        if self.loadgroup:
            nodeid = undecorated_group_id(nodeid)
        line = f"{nodeid}\n"
        try:
            data = line.encode()
        except UnicodeEncodeError:  # a lone surrogate in a parameter id: still one line
            data = line.encode("utf-8", "backslashreplace")
        try:
            os.write(fd, data)
            os.fsync(fd)
        except OSError as error:
            warn(f"{PREFIX}cannot write {CHECKPOINT_ENV} {self.path}: {describe(error)}")
            self.close()

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass


def _mentions(function: object, text: str) -> bool:
    """Whether a hook function uses the string `text`, as a literal or a module constant."""
    code = getattr(function, "__code__", None)
    if code is not None and text in code.co_consts:
        return True
    module_globals = getattr(function, "__globals__", {})
    return any(value == text for value in module_globals.values() if isinstance(value, str))
