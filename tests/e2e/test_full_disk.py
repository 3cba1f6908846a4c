"""A full disk never breaks the user's run: on a real 2 MiB tmpfs, pytest's own exit status is
returned, the post-mortem says what the recording lost and from when (never a crash that did not
happen), and no file is left half-written. Needs root (mount); skipped otherwise."""

import json
import os
import subprocess
from pathlib import Path

import pytest

SUITE = """
import os
import time
import pytest

FILLER = os.environ.get("FILL_ME")

@pytest.mark.parametrize("i", range(300))
def test_out(i):
    if FILLER and i == {fill_at}:
        # Fill the disk the run directory is on, to the last byte.
        with open(FILLER, "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"x" * 4096)
            except OSError:
                pass
    if FILLER and i == {free_at} - 1:
        # Until the supervisor's trail has met the full disk: the room left in its file's last
        # page (up to 4 KiB, a second of samples) fits samples still; once it stops growing for
        # ten sampling intervals, samples are being lost.
        trail = os.environ["TRAIL"]
        size, since = -1, time.monotonic()
        while time.monotonic() - since < 0.5:
            if os.path.getsize(trail) != size:
                size, since = os.path.getsize(trail), time.monotonic()
            time.sleep(0.02)
    if FILLER and i == {free_at}:
        os.unlink(FILLER)
    assert i != {fail_at}
"""


@pytest.fixture
def tmpfs(tmp_path):
    """A real 2 MiB tmpfs, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(path: Path) -> Path:
    filler = path / "filler"
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"x" * 4096)
        except OSError:
            pass
    return filler


def said_a_crash(stderr: str) -> bool:
    """Whether the post-mortem named a crash (its lines start with "crash ")."""
    lines = stderr.splitlines()
    return any(line.startswith("crash ") or line.startswith("blackbox: crashed") for line in lines)


def leftovers(run_dir: Path):
    """Temporary files a failed write left behind, and journals that end in a torn record."""
    torn = [p for p in (run_dir / "journal").glob("*.jsonl") if not whole_lines(p)]
    return [p for p in run_dir.rglob("*") if ".tmp." in p.name] + torn


def whole_lines(path: Path) -> bool:
    data = path.read_bytes()
    return data == b"" or data.endswith(b"\n")


def write_suite(project, fill_at=-1, free_at=-1, fail_at=-1):
    project.write("test_many.py", SUITE.format(fill_at=fill_at, free_at=free_at, fail_at=fail_at))


def test_a_disk_full_from_the_start_returns_pytests_status_and_says_so(project, tmpfs):
    write_suite(project)
    fill(tmpfs)
    run_dir = tmpfs / "run"
    result = project.run("-q", "test_many.py", options=["--run-dir", str(run_dir), "--no-metrics"])
    assert result.returncode == 0, result.stderr
    assert "300 passed" in result.stdout
    assert "recording lost" in result.stderr
    assert "No space left on device" in result.stderr
    assert not said_a_crash(result.stderr), result.stderr
    assert leftovers(run_dir) == []


def test_a_disk_filled_midway_and_never_freed_reads_as_lost_not_crashed(project, tmpfs):
    write_suite(project, fill_at=100, free_at=400, fail_at=150)
    run_dir = tmpfs / "run"
    result = project.run(
        "-q",
        "test_many.py",
        options=["--run-dir", str(run_dir), "--no-metrics"],
        env={"FILL_ME": str(tmpfs / "filler")},
    )
    assert result.returncode == 1, result.stderr  # pytest's own: one test failed
    assert "1 failed, 299 passed" in result.stdout
    assert "recording lost" in result.stderr
    assert not said_a_crash(result.stderr), result.stderr
    assert leftovers(run_dir) == []
    # The room kept for the end let end.json and the post-mortem be written on the full disk.
    report = project.show(run_dir)
    assert report["status"] == "failed" and report["crashes"] == []
    assert report["exit"]["code"] == 1
    lost = " ".join(report["recording_lost"])
    assert "journal records lost from" in lost and "after test_many.py::test_out[" in lost
    assert "finished its session" in lost


def test_a_disk_filled_midway_then_freed_loses_no_result(project, tmpfs):
    write_suite(project, fill_at=100, free_at=110, fail_at=150)
    run_dir = tmpfs / "run"
    result = project.run(
        "-q",
        "test_many.py",
        options=["--run-dir", str(run_dir), "--no-metrics"],
        env={"FILL_ME": str(tmpfs / "filler"), "TRAIL": str(run_dir / "samples.jsonl")},
    )
    assert result.returncode == 1, result.stderr
    assert "1 failed, 299 passed" in result.stdout
    assert not said_a_crash(result.stderr), result.stderr
    report = project.show(run_dir)
    assert report["status"] == "failed" and report["crashes"] == []
    assert report["tests"]["passed"] == 299 and report["tests"]["failed"] == 1
    assert report["tests"]["not_run"] == 0
    # What did not fit while the disk was full is said (the trail's samples), with its time.
    assert any("lost from" in line for line in report["recording_lost"]), report
    assert leftovers(run_dir) == []
    assert json.loads((run_dir / "end.json").read_text())["exit_code"] == 1
