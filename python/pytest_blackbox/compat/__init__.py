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

This module decides which features run (the entry points plugin.py calls: `add_options`,
`configure`); the features live in abort_spellings.py, abort_marker.py, abort_crash_log.py and
ct_checkpoint.py.
"""

import os
from typing import Iterable, List, Optional, Set, Tuple

import pytest

from . import warning
from .abort_crash_log import ControllerHooks
from .abort_marker import MarkerWriter, marker_path
from .abort_spellings import FAMILIES, Family
from .warning import PREFIX, describe, warn
from .ct_checkpoint import CHECKPOINT_ENV, Checkpoint

COMPAT_NAME = "blackbox-compat"
WORKER_ENV = "PYTEST_XDIST_WORKER"

ENV_NAMES = (CHECKPOINT_ENV,) + tuple(
    name for family in FAMILIES for name in (family.file_env, family.dir_env, family.log_env)
)
OPTION_DESTS = tuple(dest for family in FAMILIES for dest in (family.file_dest, family.dir_dest))

_active: List["CompatSession"] = []
"""The compat sessions of this process (pytester runs pytest inside pytest: inner ones stay off)."""


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
        warning.hold_stderr()
    except Exception as error:  # a bug here must not cost the user their test run
        warn(f"{PREFIX}compatibility disabled: internal error: {describe(error)}")


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
            path for path in (marker_path(f, workerinput, option, worker) for f in families) if path
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
            warn(f"{PREFIX}compatibility disabled: internal error: {describe(error)}")

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Close the checkpoint; the last session of the process releases the stderr copy."""
        if self.checkpoint_writer is not None:
            self.checkpoint_writer.close()
        if self in _active:
            _active.remove(self)
        if not _active:
            warning.release_stderr()


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


def _unique(paths: Iterable[str]) -> List[str]:
    return list(dict.fromkeys(paths))
