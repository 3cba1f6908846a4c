"""The interfaces of pytest-abort and ct-pytest-monitor, for their users (docs/compatibility.md).

With the plugin loaded, the variables and options of those tools work as they did, whether or
not blackbox records the run:

- pytest-abort (`PYTEST_ABORT_*`, `--last-running-file`/`--last-running-dir`) and its older
  variant (`JAX_ROCM_*`, `--rocm-last-running-file`/`--rocm-last-running-dir`): a JSON "last
  running test" marker written (temporary file + rename) before each test's protocol and deleted
  after its teardown; under xdist, a per-worker marker path handed out by the controller, and one
  line appended to the crashed-tests log by the controller when a worker dies.
- ct-pytest-monitor (`CT_PYTEST_CHECKPOINT`): each node id appended, and fsync'd, when its test
  starts, by the process that runs it.

Nothing of this exists unless one of the variables or options is set: then a separate plugin
object is registered, and only the hooks of the features asked for. When pytest-abort itself
is loaded, it keeps the variables and options it implements and this module leaves them alone;
so does a project conftest that still carries ct-pytest-monitor's checkpoint hook.
"""

import fcntl
import json
import os
import signal
from datetime import datetime
from typing import Dict, Iterable, List, NamedTuple, Optional, Set, Tuple

import pytest

from .items import undecorated_group_id
from .journal import warn
from .workers import exit_status, worker_id

COMPAT_NAME = "blackbox-compat"
CHECKPOINT_ENV = "CT_PYTEST_CHECKPOINT"
GPU_ENV = "HIP_VISIBLE_DEVICES"
WORKER_ENV = "PYTEST_XDIST_WORKER"
WORKER_EXIT_WAIT_S = 0.5
"""How long the controller waits for a crashed worker's exit status (for the crash's reason)."""

_WARNING_PREFIX = "pytest-blackbox: "
_APPEND_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
_encode = json.encoder.encode_basestring_ascii  # json.dump's own string encoder (ensure_ascii)


class Family(NamedTuple):
    """One spelling of pytest-abort's interface."""

    file_env: str
    dir_env: str
    log_env: str
    file_option: str
    dir_option: str
    file_dest: str  # also the key of the per-worker path in xdist's workerinput
    dir_dest: str
    module: str  # the original plugin's module, which implements this spelling itself


FAMILIES = (
    Family(
        "PYTEST_ABORT_LAST_RUNNING_FILE",
        "PYTEST_ABORT_LAST_RUNNING_DIR",
        "PYTEST_ABORT_CRASHED_TESTS_LOG",
        "--last-running-file",
        "--last-running-dir",
        "abort_last_running_file",
        "abort_last_running_dir",
        "pytest_abort.plugin",
    ),
    Family(
        "JAX_ROCM_LAST_RUNNING_FILE",
        "JAX_ROCM_LAST_RUNNING_DIR",
        "JAX_ROCM_CRASHED_TESTS_LOG",
        "--rocm-last-running-file",
        "--rocm-last-running-dir",
        "rocm_last_running_file",
        "rocm_last_running_dir",
        "pytest_abort_plugin.plugin",
    ),
)

ENV_NAMES = (CHECKPOINT_ENV,) + tuple(
    name for family in FAMILIES for name in (family.file_env, family.dir_env, family.log_env)
)
OPTION_DESTS = tuple(dest for family in FAMILIES for dest in (family.file_dest, family.dir_dest))

_active: List["CompatSession"] = []
"""The compat sessions of this process (pytester runs pytest inside pytest: inner ones stay off)."""

_stderr_fd = -1
"""A copy of the stderr pytest started with (taken at configure): pytest captures fd 2 while a
test runs, and a warning written there would only show if the test failed."""


def _warn(message: str) -> None:
    warn(message, _stderr_fd if _stderr_fd >= 0 else 2)


def add_options(parser: pytest.Parser) -> None:
    """Add pytest-abort's options that no other plugin added (pytest-abort itself may have).

    Called once every plugin loaded before the initial conftests (-p, entry points,
    PYTEST_PLUGINS, the root conftest's pytest_plugins) added its options: adding one twice
    would make argparse fail the whole run.
    """
    try:
        taken = _option_names(parser)
    except Exception:  # pytest's parser internals changed: adding could conflict, so don't
        return
    group = None
    for family in FAMILIES:
        for option, dest, what in (
            (family.file_option, family.file_dest, "the last-running-test JSON marker file"),
            (family.dir_option, family.dir_dest, "the directory of per-worker marker files"),
        ):
            if option in taken:
                continue
            if group is None:
                group = parser.getgroup(
                    "blackbox-compat", "pytest-abort compatibility (pytest-blackbox)"
                )
            group.addoption(
                option,
                dest=dest,
                default=None,
                metavar="PATH",
                help=f"{what}, as pytest-abort writes it (docs/compatibility.md)",
            )


def _option_names(parser: pytest.Parser) -> Set[str]:
    names: Set[str] = set()
    for group in [parser._anonymous, *parser._groups]:  # pytest has no public listing
        for option in group.options:
            names.update(option.names())
    return names


def configure(config: pytest.Config) -> None:
    """Register the compat plugin when a variable or option asks for it; else do nothing."""
    try:
        if _active or config.pluginmanager.get_plugin(COMPAT_NAME) is not None:
            return
        environ = os.environ
        option = config.option
        workerinput = getattr(config, "workerinput", None)
        if not (
            any(environ.get(name) for name in ENV_NAMES)
            or any(getattr(option, dest, None) for dest in OPTION_DESTS)
            or (isinstance(workerinput, dict) and any(workerinput.get(d) for d in OPTION_DESTS))
        ):
            return
        session = CompatSession(config)
        if session.idle:
            return
        config.pluginmanager.register(session, COMPAT_NAME)
        _active.append(session)
        global _stderr_fd
        if _stderr_fd < 0:
            try:
                _stderr_fd = os.dup(2)
            except OSError:
                pass
    except Exception as error:  # a bug here must not cost the user their test run
        _warn(f"{_WARNING_PREFIX}compatibility disabled: internal error: {_describe(error)}")


class CompatSession:
    """Decides, once per process, which compat features run here and registers their hooks."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        handled = _handled_by_originals(config)
        families = [family for family in FAMILIES if family not in handled]
        workerinput = getattr(config, "workerinput", None)
        if not isinstance(workerinput, dict):
            workerinput = {}
        worker = os.environ.get(WORKER_ENV, "main")
        option = config.option
        self.markers = _unique(
            path
            for path in (_marker_path(f, workerinput, option, worker) for f in families)
            if path
        )
        # The xdist controller's part: per-worker marker paths, and crash lines when one dies.
        self.marker_dirs: List[Tuple[str, str]] = []
        self.crash_logs: List[Tuple[str, str]] = []
        for family in families:
            directory = os.environ.get(family.dir_env) or getattr(option, family.dir_dest, None)
            if directory:
                self.marker_dirs.append((family.file_dest, os.fspath(directory)))
            log = os.environ.get(family.log_env)
            if log and log not in [path for _, path in self.crash_logs]:
                self.crash_logs.append((family.file_dest, log))
        self.checkpoint = os.environ.get(CHECKPOINT_ENV) or None
        self.checkpoint_writer: Optional[Checkpoint] = None

    @property
    def idle(self) -> bool:
        return not (self.markers or self.marker_dirs or self.crash_logs or self.checkpoint)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Register the hooks this process needs: the controller's, or the test runner's.

        Before xdist's controller starts its workers (pytest_configure_node comes then).
        """
        try:
            manager = self.config.pluginmanager
            if manager.has_plugin("dsession"):
                if self.marker_dirs or self.crash_logs:
                    manager.register(
                        ControllerHooks(self.marker_dirs, self.crash_logs), f"{COMPAT_NAME}-xdist"
                    )
                return
            loadgroup = bool(getattr(self.config.option, "loadgroup", False))
            if self.markers:
                manager.register(MarkerWriter(self.markers, loadgroup), f"{COMPAT_NAME}-marker")
            if self.checkpoint:
                writer = Checkpoint.open(self.checkpoint, loadgroup)
                if writer is not None:
                    self.checkpoint_writer = writer
                    manager.register(writer, f"{COMPAT_NAME}-checkpoint")
        except Exception as error:
            _warn(f"{_WARNING_PREFIX}compatibility disabled: internal error: {_describe(error)}")

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.checkpoint_writer is not None:
            self.checkpoint_writer.close()
        if self in _active:
            _active.remove(self)
        global _stderr_fd
        if not _active and _stderr_fd >= 0:
            fd, _stderr_fd = _stderr_fd, -1
            try:
                os.close(fd)
            except OSError:
                pass


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
            _make_parent(path)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem):
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
                if not (retry and _make_parent(path)):
                    self._failed(path, "cannot write", error)
                    return
            except OSError as error:
                self._failed(path, "cannot write", error)
                return

    def _failed(self, path: str, what: str, error: OSError) -> None:
        """Warn once per marker; the test run goes on (as with pytest-abort)."""
        if path not in self.failed:
            self.failed.add(path)
            _warn(f"{_WARNING_PREFIX}{what} the last-running marker {path}: {_describe(error)}")


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
                fd = os.open(path, _APPEND_FLAGS, 0o644)
            except FileNotFoundError:
                _make_parent(path)
                fd = os.open(path, _APPEND_FLAGS, 0o644)
        except OSError as error:
            _warn(f"{_WARNING_PREFIX}cannot open {CHECKPOINT_ENV} {path}: {_describe(error)}")
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
            _warn(f"{_WARNING_PREFIX}cannot write {CHECKPOINT_ENV} {self.path}: {_describe(error)}")
            self.close()

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass


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
            _warn(f"{_WARNING_PREFIX}crashed-tests log: internal error: {_describe(failure)}")

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
            _warn(f"{_WARNING_PREFIX}crashed-tests log: internal error: {_describe(failure)}")

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
            _warn(f"{_WARNING_PREFIX}cannot write {path}: {_describe(error)}")


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
    _make_parent(path)
    fd = os.open(path, _APPEND_FLAGS, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        data = line.encode("utf-8", "backslashreplace")
        while data:
            written = os.write(fd, data)
            data = data[written:]
    finally:
        os.close(fd)  # releases the lock


def _marker_path(family: Family, workerinput: dict, option, worker: str) -> Optional[str]:
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


def _handled_by_originals(config: pytest.Config) -> List[Family]:
    """The spellings implemented by a loaded plugin of pytest-abort itself.

    A plugin module says which variables it reads (`ENV_LAST_RUNNING_FILE`; versions of the
    older package read either spelling); without that, its package tells.
    """
    handled = []
    modules = {family.module: family for family in FAMILIES}
    for plugin in config.pluginmanager.get_plugins():
        family = modules.get(getattr(plugin, "__name__", None))
        if family is None:
            continue
        variable = getattr(plugin, "ENV_LAST_RUNNING_FILE", None)
        for candidate in FAMILIES:
            if candidate.file_env == variable:
                family = candidate
        handled.append(family)
    return handled


def _worker_pid(node: object) -> Optional[int]:
    try:
        pid = node.gateway._io.popen.pid  # type: ignore[attr-defined]  # execnet internals
    except Exception:
        return None
    return pid if isinstance(pid, int) else None


def _mentions(function: object, text: str) -> bool:
    """Whether a hook function uses the string `text`, as a literal or a module constant."""
    code = getattr(function, "__code__", None)
    if code is not None and text in code.co_consts:
        return True
    module_globals = getattr(function, "__globals__", {})
    return any(value == text for value in module_globals.values() if isinstance(value, str))


def _make_parent(path: str) -> bool:
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        return True
    except OSError:
        return False


def _unique(paths: Iterable[str]) -> List[str]:
    return list(dict.fromkeys(paths))


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"SIG{number}"


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return f"{type(error).__name__}: {error}"
