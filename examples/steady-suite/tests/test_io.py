"""Tests that wait (a server's answer, a file, a subprocess): steady durations."""

import os
import subprocess
import sys
import time


def test_fetch_50ms():
    # a remote answer that takes 50 ms; STEADY_SLOWER plants a +60% slowdown
    time.sleep(0.08 if os.environ.get("STEADY_SLOWER") else 0.05)


def test_fetch_20ms():
    time.sleep(0.02)


def test_retry_backoff():
    for delay in (0.01, 0.02, 0.04):
        time.sleep(delay)


def test_write_and_read(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(os.urandom(1 << 20))
    assert len(path.read_bytes()) == 1 << 20


def test_subprocess():
    out = subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True)
    assert out.stdout.strip() == "42"
