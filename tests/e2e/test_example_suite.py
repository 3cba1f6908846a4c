"""The bundled example suite (what the README's first command runs) really crashes, and the
recorder names the crash."""

import shutil
import subprocess
import sys

from conftest import REPO, only_crash


def test_the_bundled_example_suite_segfaults_and_is_named(project):
    shutil.copytree(REPO / "examples" / "crashing-suite", project.root, dirs_exist_ok=True)
    result = project.run(command=[sys.executable, "-m", "pytest", "-p", "no:cacheprovider"])
    assert result.returncode == 128 + 11, result.stdout + result.stderr
    crash = only_crash(project.show())
    assert (
        crash["nodeid"] == "tests/test_native.py::test_checksum_of_an_unmapped_buffer[null-buffer]"
    )
    assert crash["phase"] == "call"
    assert crash["cause"] == "segfault"
    assert 'native_buffer.py", line 12 in checksum' in crash["traceback"]


def test_with_restarts_the_suite_finishes_and_our_lines_start_their_own(project):
    shutil.copytree(REPO / "examples" / "crashing-suite", project.root, dirs_exist_ok=True)
    # One stream for both, as on a terminal: pytest's progress line is unfinished at the crash.
    argv = [str(project.blackbox_bin), "run", "--max-restarts", "2", "--"]
    argv += [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    result = subprocess.run(
        argv,
        cwd=project.root,
        env=project.env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=180,
    )
    assert result.returncode == 1, result.stdout
    assert "tests/test_native.py .\nblackbox: attempt 1 died: segfault" in result.stdout
    assert "3 passed, 1 failed, 1 skipped, 1 crashed" in result.stdout
