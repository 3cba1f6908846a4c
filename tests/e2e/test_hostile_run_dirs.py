"""Run directories are untrusted input: `blackbox run` never writes through what is planted in
one, and `show`, `report`, `ingest`, `bisect` and the live recording never follow a link, never
wait on a FIFO, and never let a crafted file take memory or output without bound."""

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from conftest import run_measured

SEGV = """
def test_before():
    pass

def test_segv():
    import ctypes; ctypes.string_at(0)
"""


def test_a_run_dir_holding_planted_links_is_refused_before_anything_starts(project, tmp_path):
    target = tmp_path / "precious"
    target.write_text("precious\n")
    run_dir = project.root / "planted"
    run_dir.mkdir()
    for name in ("output.log", "samples.jsonl"):
        (run_dir / name).symlink_to(target)
    (run_dir / "journal").symlink_to(tmp_path)
    marker = project.root / "started"
    result = project.run(
        options=["--run-dir", str(run_dir)], command=["sh", "-c", f"touch {marker}"]
    )
    assert result.returncode == 3
    assert "is not empty" in result.stderr
    assert not marker.exists()
    assert target.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["precious", "project"])


@pytest.mark.parametrize(
    "plant, said",
    [
        (
            lambda run: ((run / "samples.jsonl").unlink(), os.mkfifo(run / "samples.jsonl")),
            "samples.jsonl is a FIFO",
        ),
        (
            lambda run: (
                next((run / "journal").glob("*.jsonl")).unlink(),
                os.symlink("/dev/zero", run / "journal" / "1-main-1.jsonl"),
            ),
            "1-main-1.jsonl is a symbolic link",
        ),
        (
            lambda run: (
                (run / "journal").rename(run / "real"),
                (run / "journal").symlink_to("real"),
            ),
            "journal/ is a symbolic link",
        ),
    ],
    ids=["fifo-trail", "journal-to-dev-zero", "linked-journal-folder"],
)
def test_every_reader_refuses_a_hostile_run_dir_at_once(project, plant, said):
    project.write("test_a.py", SEGV)
    assert project.run("test_a.py").returncode == 139
    run = project.latest
    plant(run)
    for args in (
        ["show", str(run)],
        ["show", "--json", str(run)],
        ["report", str(run), "--json", "r.json"],
        ["ingest", "--db", "m.db", str(run)],
        ["bisect", str(run)],
        ["push", str(run), "--server", "http://127.0.0.1:9"],
    ):
        result = project.blackbox(*args, timeout=30)  # a FIFO waited on would time out
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert said in result.stderr and "refused" in result.stderr, (args, result.stderr)


def test_a_journal_folder_that_cannot_be_read_is_said_not_shown_as_an_empty_run(project):
    project.write("test_a.py", "def test_a():\n    assert 0\n")
    assert project.run("test_a.py").returncode == 1
    # A copy anyone may enter, whose journal/ its reader may not list.
    place = Path(tempfile.mkdtemp(prefix="blackbox-unreadable-"))
    try:
        os.chmod(place, 0o755)
        run = place / "run"
        shutil.copytree(project.latest, run)
        os.chmod(run / "journal", 0o300)
        argv = [str(project.blackbox_bin), "show", str(run)]
        if os.geteuid() == 0:
            # Root reads any folder: read as nobody.
            if shutil.which("setpriv") is None:
                pytest.skip("setpriv is needed to read as another user when root")
            argv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"] + argv
        result = subprocess.run(argv, capture_output=True, text=True, env=project.env(), timeout=30)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "journal/ cannot be read: Permission denied" in result.stderr
        assert "0 collected" not in result.stdout
    finally:
        os.chmod(place / "run" / "journal", 0o755)
        shutil.rmtree(place)


def test_a_fifo_planted_while_recording_neither_stalls_the_run_nor_its_status(project):
    project.write(
        "test_a.py",
        """
        import os
        from pathlib import Path

        def test_plant():
            run = Path(os.environ["BLACKBOX_RUN_DIR"])
            os.mkfifo(run / "journal" / "1-gw9-1.jsonl")

        def test_after():
            pass
        """,
    )
    result = project.run("test_a.py", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "2 passed" in result.stdout
    assert "1-gw9-1.jsonl is a FIFO" in result.stderr


def test_a_crafted_trail_is_downsampled_not_printed_whole(project):
    project.write("test_a.py", SEGV)
    assert project.run("test_a.py").returncode == 139
    run = project.latest
    journal = next((run / "journal").glob("*.jsonl"))
    pid = int(journal.stem.rsplit("-", 1)[1])
    last_ns = json.loads(journal.read_text().splitlines()[-1])["ns"]
    show = [project.blackbox_bin, "show", "--json", run]
    # The same command's peak on the run's own trail: the floor the crafted one is held to.
    baseline = run_measured(show, project.root, project.env())
    assert baseline.returncode == 0, baseline.stderr
    # 400,000 samples (about 40 MB) all within the last second before the death.
    with open(run / "samples.jsonl", "w") as trail:
        chunk = []
        for i in range(400_000):
            ns = last_ns - 1_000_000_000 + i * 2_500
            chunk.append(
                f'{{"ev":"sample","ns":{ns},"rss":{i},"procs":[[{pid},{i},1],'
                f'[{1_000_000 + i},4096,{pid}]],"mem":{{"available":{i}}}}}\n'
            )
            if len(chunk) == 10_000:
                trail.write("".join(chunk))
                chunk = []
    assert (run / "samples.jsonl").stat().st_size > 30_000_000
    result = run_measured(show, project.root, project.env())
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) < 500_000  # the whole post-mortem, not the trail
    report = json.loads(result.stdout)
    points = report["memory"]["before_end"]
    assert len(points) <= 1000
    assert points[-1]["tree_rss"] == 399_999  # the last sample, exactly
    # Bounded memory: the crafted trail costs little more than the run's own (reading it whole
    # took over 10 times its 40 MB).
    print(f"show's peak: {baseline.peak >> 20} MiB, on the crafted trail {result.peak >> 20} MiB")
    assert result.peak < baseline.peak + (64 << 20), (baseline.peak, result.peak)


def test_output_log_is_capped_with_its_head_its_tail_and_a_marker(project):
    project.write(
        "test_a.py",
        """
        import sys

        def test_loud():
            for i in range(200_000):  # about 8 MB
                sys.stdout.write(f"line {i:06} " + "x" * 28 + "\\n")
        """,
    )
    result = project.run("test_a.py", "-s", options=["--output-log-max", "1M", "--no-pty"])
    assert result.returncode == 0, result.stderr
    assert "line 199999" in result.stdout  # the terminal gets everything
    log = (project.latest / "output.log").read_text()
    assert len(log.encode()) <= 1024 * 1024
    assert "line 000000" in log and "line 199999" in log
    assert log.count("bytes of output left out here]") == 1


def test_a_run_that_is_still_recording_is_never_pruned(project):
    project.write(
        "test_wait.py",
        """
        import os, time
        from pathlib import Path

        def test_wait():
            Path("started").write_text(os.environ["BLACKBOX_RUN_DIR"])
            while not Path("go").exists():
                time.sleep(0.05)
        """,
    )
    project.write("test_quick.py", "def test_quick():\n    pass\n")
    first = subprocess.Popen(
        [str(project.blackbox_bin), "run", "--", *project.pytest_command("test_wait.py")],
        cwd=project.root,
        env=project.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not (project.root / "started").exists():
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        live = project.root / (project.root / "started").read_text()
        for _ in range(2):
            assert project.run("test_quick.py", options=["--keep-runs", "1"]).returncode == 0
        assert live.is_dir()  # held by the live recording: kept
        (project.root / "go").write_text("")
        first.communicate(timeout=60)
        assert first.returncode == 0
        runs = sorted((project.root / ".blackbox" / "runs").iterdir())
        assert live in runs and len(runs) == 2  # the older quick run was pruned
        assert project.run("test_quick.py", options=["--keep-runs", "1"]).returncode == 0
        assert not live.exists()  # ended: pruned like any other
    finally:
        first.kill()
