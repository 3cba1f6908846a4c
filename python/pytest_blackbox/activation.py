"""Whether this pytest process records, where, and under which name (docs/plugin.md).

A process records into BLACKBOX_RUN_DIR when it is set (the supervisor, or the main process of
a `pytest --blackbox` run for its xdist workers), or into a run directory it makes itself under
`--blackbox`. A pytest running inside a recorded test does not record into that run.
"""

import os
import platform
import sys
import time
from pathlib import Path
from typing import Iterable, NamedTuple, Optional, Tuple

import pytest

from . import __version__, run_files, rundir
from .faults import FaultFile
from .journal import Journal, warn_disabled

RUN_DIR_ENV = "BLACKBOX_RUN_DIR"
ATTEMPT_ENV = "BLACKBOX_ATTEMPT"
FSYNC_ENV = "BLACKBOX_FSYNC"
RECORDER_ENV = "BLACKBOX_RECORDER"
"""Set by the recording main process to `<pid>:<run dir>`, for the processes it starts."""

_TRUE_WORDS = ("1", "true", "yes", "on")


class Recording(NamedTuple):
    """The open files of a process that records, and who it is."""

    run_dir: Path
    worker: Optional[str]  # the xdist worker id, None in the main process
    attempt: int
    fsync: bool
    journal: Journal
    faults: FaultFile
    held: int = -1  # the main process's lock on the run directory (run_files.hold), or -1


def open_recording(config: pytest.Config, active: Iterable[Path]) -> Optional[Recording]:
    """Open this process's files; None when it does not record (or cannot: one warning).

    `active` are the run directories recorded by outer pytest sessions of this process.
    """
    workerinput = getattr(config, "workerinput", None)
    worker = str(workerinput["workerid"]) if workerinput else None
    invocation_dir = Path(config.invocation_params.dir)
    env_dir = os.environ.get(RUN_DIR_ENV)
    if env_dir:
        run_dir: Optional[Path] = Path(os.path.abspath(env_dir))
        if _is_nested(run_dir, worker, active):
            return None
    elif (
        worker is None
        and (config.getoption("blackbox") or config.getini("blackbox"))
        and not config.getoption("help", False)
    ):
        run_dir = None  # made below
    else:
        return None  # a worker records only into the run its controller exported

    attempt = _env_int(ATTEMPT_ENV, 1)
    fsync = bool(config.getoption("blackbox_fsync")) or (
        os.environ.get(FSYNC_ENV, "").strip().lower() in _TRUE_WORDS
    )
    stem = f"{attempt}-{worker or 'main'}-{os.getpid()}"
    where = str(run_dir)
    try:
        if run_dir is None:
            base = invocation_dir / (config.getoption("blackbox_dir") or ".blackbox")
            where = str(base)
            run_dir = rundir.create(base, invocation_dir)
        else:
            rundir.make_subdirs(run_dir)
        where = str(run_dir)
        journal = Journal(run_dir, stem, fsync)
        try:
            faults = FaultFile(run_dir / "faulthandler" / f"{stem}.txt")
        except OSError:
            journal.close()
            raise
    except OSError as error:
        warn_disabled(f"{where}: {error.strerror or error}")
        return None
    # The main process holds the run while it records: pruning skips it (the workers need not:
    # they die with it).
    held = run_files.hold(run_dir) if worker is None else -1
    return Recording(run_dir, worker, attempt, fsync, journal, faults, held)


def _is_nested(run_dir: Path, worker: Optional[str], active: Iterable[Path]) -> bool:
    """Whether this pytest runs inside a test of a recorded run (and must not record into it).

    A test may run pytest itself (pytester, a subprocess): that inner pytest inherits the
    environment, but the run directory belongs to the outer one. Only the main process and the
    xdist workers it started (its children) record into it.
    """
    if run_dir in active:
        return True  # pytest inside pytest, in this very process
    pid_text, _, owner_dir = os.environ.get(RECORDER_ENV, "").partition(":")
    if not owner_dir or Path(owner_dir) != run_dir:
        return False
    owner = _int(pid_text)
    return owner != (os.getppid() if worker is not None else os.getpid())


def start_facts(config: pytest.Config, recording: Recording) -> Tuple[int, dict]:
    """(ns, facts) of the `start` record."""
    ns, wall = time.monotonic_ns(), time.time()
    facts = {
        "wall": wall,
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "worker": recording.worker,
        "attempt": recording.attempt,
        "argv": list(sys.argv),
        "args": [str(arg) for arg in config.invocation_params.args],
        "cwd": str(config.invocation_params.dir),
        "rootdir": str(config.rootpath),
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
            "build": ", ".join((*platform.python_build(), platform.python_compiler())),
        },
        "pytest": pytest.__version__,
        "xdist": _xdist_version(config),
        "hwm_reset": False,
        "plugin": __version__,
        "fsync": recording.fsync,
        "seed_options": seed_options(config),
    }
    facts.update(_identity())
    if recording.worker is None:
        facts["pytest_monitor"] = _pytest_monitor_facts()
    return ns, facts


def seed_options(config: pytest.Config) -> list:
    """The options that repeat this session's random order: the seed each random-order plugin
    drew (or was given), so that a crash's re-run line orders as this attempt did. Read once
    the plugins are configured (this runs in a trylast pytest_configure)."""
    words = []
    option = config.option
    bucket = getattr(option, "random_order_bucket", None)  # pytest-random-order
    seed = getattr(option, "random_order_seed", None)
    if bucket not in (None, "none") and seed not in (None, ""):
        words.append(f"--random-order-seed={seed}")
    seed = getattr(option, "randomly_seed", None)  # pytest-randomly, unless -p no:randomly
    if config.pluginmanager.has_plugin("randomly") and isinstance(seed, int):
        words.append(f"--randomly-seed={seed}")
    return words


def _pytest_monitor_facts() -> dict:
    """What pytest-monitor's execution context (its sys_utils.py) reads that the machine's
    context does not hold, read as it reads it, so that the context's hash is the one its
    client computes on this machine: `platform.processor()`, `socket.getfqdn()`,
    `sys.version`, and psutil's CPU frequency (`psutil.cpu_freq().current`, the mean of
    /proc/cpuinfo's `cpu MHz` where psutil is not installed, as psutil computes it then) as
    Python's text of the number. Recorded by the main process only: getfqdn() asks the
    resolver."""
    facts = {"python_info": sys.version}
    try:
        facts["cpu_type"] = platform.processor()
    except Exception:
        pass
    try:
        import socket

        facts["machine_node"] = socket.getfqdn()
    except Exception:
        pass
    frequency = _cpu_frequency()
    if frequency is not None:
        facts["cpu_frequency"] = str(frequency)
    # The variables its collect_ci_info() looks at, those set: its session's CI fields.
    facts["environ"] = {
        name: os.environ[name] for name in _MONITOR_CI_VARIABLES if name in os.environ
    }
    return facts


_MONITOR_CI_VARIABLES = (
    "BUILD_NUMBER",
    "BRANCH_NAME",
    "JOB_NAME",
    "CIRCLE_JOB",
    "CIRCLE_BUILD_NUM",
    "TRAVIS_BUILD_NUMBER",
    "TRAVIS_BUILD_ID",
    "DRONE_REPO_BRANCH",
    "DRONE_BUILD_NUMBER",
    "CI_JOB_NAME",
    "CI_PIPELINE_ID",
    "BITBUCKET_BRANCH",
    "BITBUCKET_BUILD_NUMBER",
)


def _cpu_frequency() -> Optional[float]:
    """psutil.cpu_freq().current, or None when it cannot be had; PYTEST_MONITOR_CPU_FREQ where
    pytest-monitor takes it instead (forced, or psutil failing)."""

    def from_environment() -> float:
        try:
            return float(os.environ.get("PYTEST_MONITOR_CPU_FREQ", "0."))
        except (ValueError, TypeError):
            return 0.0

    try:
        if int(os.environ.get("PYTEST_MONITOR_FORCE_CPU_FREQ", "0")):
            return from_environment()
    except ValueError:
        pass
    try:
        import psutil

        return psutil.cpu_freq().current
    except ImportError:
        pass
    except (AttributeError, NotImplementedError, FileNotFoundError):
        return from_environment()
    except Exception:
        return None
    try:
        with open("/proc/cpuinfo", "rb") as cpuinfo:
            values = [
                float(line.split(b":", 1)[1])
                for line in cpuinfo
                if line.lower().startswith(b"cpu mhz")
            ]
    except (OSError, ValueError, IndexError):
        return None
    if not values:
        return None
    total = 0.0
    for value in values:
        total += value
    return values[0] if len(values) == 1 else total / float(len(values))


def _identity() -> dict:
    """What tells this process from a later one with its pid, so a reader can check whether it
    still runs: `boot_id` and `starttime` (field 22 of /proc/self/stat), where /proc shows them."""
    identity = {}
    try:
        with open("/proc/sys/kernel/random/boot_id", "rb") as boot:
            identity["boot_id"] = boot.read().decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        pass
    try:
        with open("/proc/self/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        identity["starttime"] = int(fields[19])  # field 22; fields[0] is field 3
    except (OSError, IndexError, ValueError):
        pass
    return identity


def _xdist_version(config: pytest.Config) -> Optional[str]:
    """pytest-xdist's version when it is loaded in this pytest, else None."""
    manager = config.pluginmanager
    if not (manager.has_plugin("xdist") or manager.has_plugin("xdist.plugin")):
        return None
    version = getattr(sys.modules.get("xdist"), "__version__", None)
    if version is None:
        try:
            from importlib.metadata import version as distribution_version

            version = distribution_version("pytest-xdist")
        except Exception:
            return None
    return str(version)


def _env_int(name: str, default: int) -> int:
    value = _int(os.environ.get(name, ""))
    return default if value is None else value


def _int(text: str) -> Optional[int]:
    try:
        return int(text)
    except ValueError:
        return None
