"""The dump signal's registration: in the main thread, and in another one, as an xdist worker
may run pytest (execnet runs the worker's code outside the main thread when that one is busy)."""

import subprocess
import sys

import pytest

from conftest import PYTHON_DIR

SCRIPT = """
import os, signal, sys, threading
from pathlib import Path
from pytest_blackbox.faults import FaultFile

fault = FaultFile(Path(sys.argv[1]))
errors = []

def register():
    try:
        fault.register_dump(signal.SIGUSR2)
    except Exception as error:
        errors.append(repr(error))

if sys.argv[2] == "thread":
    worker = threading.Thread(target=register, name="execnet-like")
    worker.start()
    worker.join()
else:
    register()
os.kill(os.getpid(), signal.SIGUSR2)  # dumps, and the process goes on
print("alive", errors)
"""


@pytest.mark.parametrize("where", ["main", "thread"])
def test_the_dump_is_registered_from_any_thread_and_leaves_the_process_running(tmp_path, where):
    dump = tmp_path / "faults.txt"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(dump), where],
        env={"PYTHONPATH": str(PYTHON_DIR), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "alive []"
    assert "most recent call first" in dump.read_text()
