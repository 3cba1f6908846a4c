"""pytest-abort's crashed-tests log, as the xdist controller appends to it when a worker dies.

One JSON line per crashed test, with pytest-abort's keys in pytest-abort's order, appended under
an exclusive flock. The controller also hands each worker its own marker path (abort_marker.py),
which names the test the worker was running when it died.
"""

import fcntl
import json
import os
import signal
from datetime import datetime
from typing import Dict, List, Optional, Set, Tuple

import pytest

from .abort_marker import GPU_ENV, read_marker
from .files import APPEND_FLAGS, make_parent
from .warning import PREFIX, describe, warn
from ..items import undecorated_group_id
from ..workers import exit_status, worker_id

WORKER_EXIT_WAIT_S = 0.5
"""How long the controller waits for a crashed worker's exit status (for the crash's reason)."""


class ControllerHooks:
    """The xdist controller's part of pytest-abort: marker paths out, crash lines in."""

    def __init__(self, marker_dirs: List[Tuple[str, str]], crash_logs: List[Tuple[str, str]]):
        self.marker_dirs = marker_dirs
        self.crash_logs = crash_logs
        self.logged: Set[Tuple[str, str]] = set()  # (log, worker id) with a line already
        self.deaths: Dict[str, Tuple[Optional[int], Optional[int], Optional[int]]] = {}
        self.failed: Set[str] = set()

    @pytest.hookimpl(tryfirst=True, optionalhook=True)
    def pytest_configure_node(self, node) -> None:
        """Hand each worker its own marker, `<dir>/last_running_<worker id>.json`."""
        workerinput = getattr(node, "workerinput", None)
        if not isinstance(workerinput, dict):
            return
        name = f"last_running_{worker_id(node)}.json"
        for key, directory in self.marker_dirs:
            try:
                os.makedirs(directory, exist_ok=True)
            except OSError as error:
                self._failed(directory, error)
            workerinput[key] = os.path.join(directory, name)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:
        """A worker died: a line for the test its marker names (xdist names it next)."""
        if error is None or not self.crash_logs:
            return
        try:
            worker = worker_id(node)
            code, signal_number = exit_status(node, WORKER_EXIT_WAIT_S)
            self.deaths[worker] = (code, signal_number, _worker_pid(node))
            workerinput = getattr(node, "workerinput", None)
            if not isinstance(workerinput, dict):
                return
            for key, log in self.crash_logs:
                marker = workerinput.get(key)
                info = read_marker(marker) if marker else None
                if info is not None:
                    self._append(log, worker, info)
        except Exception as failure:
            warn(f"{PREFIX}crashed-tests log: internal error: {describe(failure)}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """xdist's report for the test a dead worker was running, when no marker named it."""
        if report.when != "???" or not self.crash_logs:
            return
        try:
            worker = worker_id(getattr(report, "node", None))
            nodeid = undecorated_group_id(report.nodeid)
            for _, log in self.crash_logs:
                if (log, worker) not in self.logged:
                    self._append(log, worker, {"nodeid": nodeid})
        except Exception as failure:
            warn(f"{PREFIX}crashed-tests log: internal error: {describe(failure)}")

    def _append(self, log: str, worker: str, info: dict) -> None:
        self.logged.add((log, worker))
        code, signal_number, pid = self.deaths.get(worker, (None, None, None))
        nodeid = str(info.get("nodeid") or info.get("test_name") or "unknown_test")
        line = crash_line(
            nodeid=nodeid,
            test_name=info.get("test_name"),
            reason=worker_reason(worker, code, signal_number),
            duration=info.get("duration"),
            gpu_id=info.get("gpu_id"),
            pid=info.get("pid", pid),
            source=f"xdist:{worker}",
        )
        try:
            append_line(log, line)
        except OSError as error:
            self._failed(log, error)

    def _failed(self, path: str, error: OSError) -> None:
        if path not in self.failed:
            self.failed.add(path)
            warn(f"{PREFIX}cannot write {path}: {describe(error)}")


def crash_line(
    nodeid: str,
    test_name: Optional[str],
    reason: str,
    duration: Optional[float],
    gpu_id: Optional[str],
    pid: object,
    source: str,
) -> str:
    """One line of the crashed-tests log, with pytest-abort's keys in pytest-abort's order."""
    now = datetime.now().isoformat()
    payload = {
        "test_name": test_name or name_of_test(nodeid),
        "test_class": class_of_test(nodeid),
        "nodeid": nodeid,
        "reason": reason,
        "crash_time": now,
        "duration": duration,
        "gpu_id": str(gpu_id if gpu_id is not None else os.environ.get(GPU_ENV, "unknown")),
        "pid": "unknown" if pid is None else str(pid),
        "source": source,
        "logged_at": now,
    }
    return json.dumps(payload, ensure_ascii=False) + "\n"


def name_of_test(nodeid: str) -> str:
    """pytest's item name: the node id's last part, parameters included."""
    names, start = _names_of(nodeid)
    last = names.rfind("::")
    return nodeid[start if last < 0 else start + last + 2 :]


def class_of_test(nodeid: str) -> Optional[str]:
    """The class (`Outer::Inner` when nested) of a test in one, else None."""
    names, start = _names_of(nodeid)
    last = names.rfind("::")
    return names[:last] if start and last >= 0 else None


def _names_of(nodeid: str) -> Tuple[str, int]:
    """The names of a node id (after the file, before the parameters) and where they start."""
    start = nodeid.find("::")
    if start < 0:
        return nodeid, 0
    start += 2
    bracket = nodeid.find("[", start)
    return nodeid[start : bracket if bracket >= 0 else len(nodeid)], start


def worker_reason(worker: str, code: Optional[int], signal_number: Optional[int]) -> str:
    """The crash's reason: how the worker running the test went down, as far as known."""
    if signal_number is not None:
        return (
            f"Test crashed: xdist worker {worker} was killed by signal {signal_number} "
            f"({_signal_name(signal_number)}) while running it"
        )
    if code is not None:
        return f"Test crashed: xdist worker {worker} exited with code {code} while running it"
    return f"Test crashed: xdist worker {worker} went down while running it"


def append_line(path: str, line: str) -> None:
    """Append one line under an exclusive flock (no fsync), as pytest-abort does; OSError."""
    make_parent(path)
    fd = os.open(path, APPEND_FLAGS, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        data = line.encode("utf-8", "backslashreplace")
        while data:
            written = os.write(fd, data)
            data = data[written:]
    finally:
        os.close(fd)  # releases the lock


def _worker_pid(node: object) -> Optional[int]:
    try:
        pid = node.gateway._io.popen.pid  # type: ignore[attr-defined]  # execnet internals
    except Exception:
        return None
    return pid if isinstance(pid, int) else None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"SIG{number}"
