"""Other plugins' own outputs across `blackbox run --max-restarts` (docs/commands/run.md,
"Other plugins' outputs across restarts").

Each attempt of a restarted run is a new pytest session. pytest-cov erases the coverage data when
a session starts and saves what it measured only when the session ends: an attempt that dies
saves nothing, and the next one would erase what was there. Under a supervisor that may restart
pytest (BLACKBOX_MAX_RESTARTS), in the main process it started:

- what coverage measured is flushed into coverage's data file of this process (its own suffixed
  `.coverage.*` file, which pytest-cov's combine reads at a session's end) after every test, so a
  death loses at most the test that was running;
- an attempt after the first appends (pytest-cov's `--cov-append`): the last session combines
  every attempt's data, and its reports cover the whole suite as one uninterrupted run's would.

pytest-benchmark saves its runs (`--benchmark-autosave`, `--benchmark-save`) at a session's end:
an attempt that died saved none, and a later attempt saves only its own benchmarks. That cannot
be made whole, so a restarted attempt says it once.
"""

import os
import warnings

import pytest

from .activation import ATTEMPT_ENV, RECORDER_ENV

MAX_RESTARTS_ENV = "BLACKBOX_MAX_RESTARTS"


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, ""))
    except ValueError:
        return default


# Whether this is the supervisor's main pytest process of a run that may be restarted: not a
# pytest that a test started (it inherits the variables, with the recorder's mark, which this
# process itself exports once it records: hence read at import, before).
_RESTARTABLE = _int_env(MAX_RESTARTS_ENV, 0) > 0 and not os.environ.get(RECORDER_ENV)


def restartable() -> bool:
    return _RESTARTABLE


def attempt() -> int:
    return _int_env(ATTEMPT_ENV, 1)


def before_plugins_start(early_config: pytest.Config) -> None:
    """Before pytest-cov starts (its pytest_load_initial_conftests): append on a restart."""
    if not restartable() or attempt() < 2:
        return
    options = early_config.known_args_namespace
    if getattr(options, "cov_source", None) and hasattr(options, "cov_append"):
        options.cov_append = True


def _coverage_of(config: pytest.Config):
    plugin = config.pluginmanager.get_plugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    return getattr(controller, "cov", None)


def save_progress(config: pytest.Config) -> None:
    """After a test: what coverage measured so far, into its data file (a death keeps it)."""
    if not restartable():
        return
    cov = _coverage_of(config)
    # coverage's collector (coverage 5 to 7): flush_data() moves what the tracers gathered into
    # the data file and clears them; Coverage.save() would also run the end-of-run checks.
    collector = getattr(cov, "_collector", None)
    flush = getattr(collector, "flush_data", None)
    if flush is None:
        return
    try:
        flush()
    except Exception as error:  # a failure here must never fail the test run
        warnings.warn(f"blackbox: cannot save coverage's data after a test: {error}")


def warn_lost_outputs(config: pytest.Config) -> None:
    """On a restarted attempt: what cannot be made whole, said once."""
    if not restartable() or attempt() < 2:
        return
    if getattr(config.option, "benchmark_autosave", False) or getattr(
        config.option, "benchmark_save", None
    ):
        config.issue_config_time_warning(
            pytest.PytestWarning(
                "blackbox: this is a restarted attempt: pytest-benchmark saves only this "
                "attempt's benchmarks (--benchmark-autosave/--benchmark-save); those of the "
                "attempts that died before are not saved"
            ),
            stacklevel=2,
        )
