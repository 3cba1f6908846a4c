"""pytest-abort's "last running test" marker: where it goes, writing it, reading it back.

A JSON marker, written (temporary file + rename) before each test's protocol and deleted after
its teardown, names the test a process was running when it died. Under xdist, the controller
hands each worker its own path (abort_crash_log.py) and reads the marker of a worker that died.
"""

import json
import os
from datetime import datetime
from typing import List, Optional, Set

import pytest

from .abort_spellings import Family
from .files import make_parent
from .warning import PREFIX, describe, warn
from ..items import undecorated_group_id

GPU_ENV = "HIP_VISIBLE_DEVICES"

_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
_encode = json.encoder.encode_basestring_ascii  # json.dump's own string encoder (ensure_ascii)


def marker_path(family: Family, workerinput: dict, option, worker: str) -> Optional[str]:
    """pytest-abort's precedence: the controller's per-worker path, FILE, DIR, the options."""
    injected = workerinput.get(family.file_dest)
    if injected:
        return os.fspath(injected)
    path = os.environ.get(family.file_env)
    if path:
        return path
    directory = os.environ.get(family.dir_env)
    if directory:
        return os.path.join(directory, f"last_running_{worker}.json")
    path = getattr(option, family.file_dest, None)
    if path:
        return os.fspath(path)
    directory = getattr(option, family.dir_dest, None)
    if directory:
        return os.path.join(os.fspath(directory), f"last_running_{worker}.json")
    return None


class MarkerWriter:
    """pytest-abort's marker: written before a test's protocol, deleted after its teardown.

    The same bytes as pytest-abort's `json.dump(payload, f, indent=2)`, built with an f-string.
    The marker is deleted after every test, so the rename never replaces a file (replacing one
    would make ext4 start writeback: ~0.1 ms).
    """

    def __init__(self, paths: List[str], loadgroup: bool) -> None:
        pid = os.getpid()
        self.targets = [(path, f"{path}.tmp.{pid}") for path in paths]
        self.paths = paths
        self.loadgroup = loadgroup
        self.pid_text = str(pid)
        self.failed: Set[str] = set()
        for path in paths:
            make_parent(path)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem):
        """Write the marker of `item`, run its protocol, then delete the marker."""
        nodeid = item.nodeid
        if self.loadgroup:
            nodeid = undecorated_group_id(nodeid)
        data = (
            f'{{\n  "test_name": {_encode(item.name)},\n  "nodeid": {_encode(nodeid)},\n'
            f'  "start_time": "{datetime.now().isoformat()}",\n  "status": "running",\n'
            f'  "pid": {self.pid_text},\n'
            f'  "gpu_id": {_encode(os.environ.get(GPU_ENV, "unknown"))}\n}}'
        ).encode()
        for path, temporary in self.targets:
            self._write(path, temporary, data)
        try:
            yield
        finally:
            for path in self.paths:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
                except OSError as error:
                    self._failed(path, "cannot delete", error)

    def _write(self, path: str, temporary: str, data: bytes) -> None:
        for retry in (True, False):
            try:
                fd = os.open(temporary, _CREATE_FLAGS, 0o644)
                try:
                    os.write(fd, data)
                finally:
                    os.close(fd)
                os.replace(temporary, path)
                return
            except FileNotFoundError as error:  # the directory went away: make it again
                if not (retry and make_parent(path)):
                    self._failed(path, "cannot write", error)
                    return
            except OSError as error:
                self._failed(path, "cannot write", error)
                return

    def _failed(self, path: str, what: str, error: OSError) -> None:
        """Warn once per marker; the test run goes on (as with pytest-abort)."""
        if path not in self.failed:
            self.failed.add(path)
            warn(f"{PREFIX}{what} the last-running marker {path}: {describe(error)}")


def read_marker(path: str) -> Optional[dict]:
    """A marker left behind by a dead process, as pytest-abort reads it; None when none.

    A marker that is not valid JSON or has no valid start time is deleted and means no crash;
    one whose status is not "running" means no crash. Adds `duration`, the seconds since the
    test started.
    """
    try:
        with open(path, encoding="utf-8") as marker:
            data = json.load(marker)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        if data.get("status") != "running":
            return None
        started = datetime.fromisoformat(data["start_time"])
        data["duration"] = (datetime.now() - started).total_seconds()
        return data
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        try:
            os.remove(path)
        except OSError:
            pass
        return None
    except OSError:
        return None
