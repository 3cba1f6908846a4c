"""The two spellings of pytest-abort's interface: its variables, options and plugin module.

pytest-abort reads `PYTEST_ABORT_*` and `--last-running-file`/`--last-running-dir`; its older
variant reads `JAX_ROCM_*` and `--rocm-last-running-file`/`--rocm-last-running-dir`
(docs/compatibility.md).
"""

from typing import NamedTuple


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
