"""Processes that escape pytest's process group, and a supervisor that dies: nothing of the tree
runs on unsupervised, and the post-mortem says what was left, stopped or still running."""

import json
import os
import signal
import subprocess
import sys

import pytest

from conftest import wait_for

# Each test writes the pid of what it started to a file named by an environment variable.
# The kernel gives a process's start to the clock tick (10 ms): each test lasts a few ticks, so
# that the post-mortem can tell which one started what.
ESCAPERS = """
import os
import subprocess
import time

import pytest


@pytest.fixture(autouse=True)
def some_ticks():
    time.sleep(0.05)
    yield
    time.sleep(0.05)


def test_new_session():
    child = subprocess.Popen(["sleep", "1000"], start_new_session=True)
    with open(os.environ["POPEN_PID"], "w") as out:
        out.write(str(child.pid))


def test_setsid_fork():
    script = 'echo $$ > "$SETSID_PID"; exec sleep 1001'
    subprocess.run(["setsid", "-f", "sh", "-c", script], check=True)


def test_after():
    pass
"""

HOG = """
import os
import subprocess
import sys

CHILD = '''
import os, sys, time
with open(sys.argv[1], "w") as out:
    out.write(str(os.getpid()))
chunks = []
while len(chunks) < 20:  # 16 MiB each: 320 MiB unless it is stopped
    chunk = bytearray(16 << 20)
    for offset in range(0, len(chunk), 4096):
        chunk[offset] = 1
    chunks.append(chunk)
    # Renamed into place: a kill between open() and write() must not leave the figure empty.
    with open(sys.argv[2] + ".tmp", "w") as progress:
        progress.write(str(len(chunks) * 16))
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
    time.sleep(0.1)
time.sleep(1000)
'''


def test_hog():
    hog = subprocess.Popen(
        [sys.executable, "-c", CHILD, os.environ["HOG_PID"], os.environ["HOG_MIB"]],
        start_new_session=True,
    )
    hog.wait(timeout=120)  # the limit kills it (and, under the watchdog, us with it)
"""

SLEEPER = """
import os
import subprocess
import time


def test_sleeps():
    child = subprocess.Popen(["sleep", "1002"], start_new_session=True)
    with open(os.environ["CHILD_PID"], "w") as out:
        out.write(str(child.pid))
    time.sleep(1000)
"""


def start_time(pid):
    """The process's start time (field 22 of /proc/PID/stat), None when there is no process or
    it is a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else int(fields[19])


class Pids:
    """Processes a test started, each known by pid and start time; SIGKILLed at the end of the
    test if the recorder under test missed them."""

    def __init__(self):
        self.known = {}

    def add(self, pid):
        self.known[pid] = start_time(pid)
        return pid

    def alive(self, pid):
        return self.known.get(pid) is not None and start_time(pid) == self.known[pid]

    def kill_survivors(self):
        for pid in self.known:
            if self.alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def pids():
    tracked = Pids()
    yield tracked
    tracked.kill_survivors()


def read_pid(path):
    return int(path.read_text()) if path.exists() and path.read_text().strip() else None


def supervisor_record(run_dir):
    for line in (run_dir / "supervisor.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["ev"] == "supervisor":
            return record
    return None


TREE_MODES = [
    pytest.param([], id="cgroup-where-possible"),
    pytest.param(["--no-cgroup"], id="no-cgroup"),
]


@pytest.mark.parametrize("options", TREE_MODES)
def test_processes_that_left_the_group_are_stopped_and_reported(project, pids, options):
    project.write("test_escape.py", ESCAPERS)
    popen_file, setsid_file = project.root / "popen.pid", project.root / "setsid.pid"
    # The leftovers are recorded as they are found, when pytest ends; their pids are read here
    # first, from the files the tests wrote, so that the fixture can clean up after a failure.
    result = project.run(
        "test_escape.py",
        options=["--no-metrics", *options],
        env={"POPEN_PID": str(popen_file), "SETSID_PID": str(setsid_file)},
    )
    popen_pid, setsid_pid = read_pid(popen_file), read_pid(setsid_file)
    assert popen_pid and setsid_pid, result.stderr
    for pid in (popen_pid, setsid_pid):
        pids.add(pid)
    assert result.returncode == 0, result.stderr
    assert start_time(popen_pid) is None and start_time(setsid_pid) is None  # stopped, reaped
    report = project.show()
    left = {process["pid"]: process for process in report["left_running"]}
    assert set(left) == {popen_pid, setsid_pid}, report["left_running"]
    assert left[popen_pid]["command"] == "sleep 1000"
    assert left[setsid_pid]["command"] == "sleep 1001"
    assert all(process["stopped"] and not process["in_group"] for process in left.values())
    assert left[popen_pid]["started_during"] == "test_escape.py::test_new_session"
    assert left[setsid_pid]["started_during"] == "test_escape.py::test_setsid_fork"
    assert "left running 2 processes when pytest ended, stopped by the supervisor" in result.stderr
    if options:
        assert supervisor_record(project.latest)["cgroup"] is None


@pytest.mark.parametrize("options", TREE_MODES)
def test_the_watchdog_kills_a_memory_hog_that_left_the_group(project, pids, options):
    project.write("test_hog.py", HOG)
    hog_file, mib_file = project.root / "hog.pid", project.root / "hog.mib"
    argv = [str(project.blackbox_bin), "run", "--memory-max", "100M", "--memory-watchdog"]
    argv += ["--no-metrics", *options, "--", *project.pytest_command("test_hog.py")]
    supervisor = subprocess.Popen(
        argv,
        cwd=project.root,
        env=project.env({"HOG_PID": str(hog_file), "HOG_MIB": str(mib_file)}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        hog = pids.add(wait_for(lambda: read_pid(hog_file), timeout=60))
        out, err = supervisor.communicate(timeout=120)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
    assert "enforced by watchdog" in err
    assert supervisor.returncode == 128 + signal.SIGKILL, out + err
    assert not pids.alive(hog)
    # Killed at the limit with the tree, not found still growing when pytest was gone.
    assert int(mib_file.read_text()) < 250
    report = project.show()
    assert [c["cause"] for c in report["crashes"]] == ["memory_limit"], report["crashes"]
    assert hog not in [process["pid"] for process in report["left_running"]]


def test_a_cgroup_limit_kills_a_memory_hog_that_left_the_group(project, pids):
    project.write("test_hog.py", HOG)
    hog_file, mib_file = project.root / "hog.pid", project.root / "hog.mib"
    result = project.run(
        "test_hog.py",
        options=["--memory-max", "100M", "--no-metrics"],
        env={"HOG_PID": str(hog_file), "HOG_MIB": str(mib_file)},
    )
    hog = read_pid(hog_file)
    if hog:
        pids.add(hog)
    limit_line = next(line for line in result.stderr.splitlines() if "memory limit" in line)
    if "cgroup" not in limit_line:
        pytest.skip(
            f"no cgroup can be made here (needs root or a delegated v2 group): {limit_line}"
        )
    assert hog and not pids.alive(hog), result.stderr
    assert int(mib_file.read_text()) < 250


def journal_pids(run_dir):
    return {path.stem: int(path.stem.rsplit("-", 1)[1]) for path in (run_dir / "journal").glob("*")}


@pytest.mark.parametrize("options", TREE_MODES)
def test_pytest_and_its_workers_die_with_a_killed_supervisor(project, pids, options):
    pytest.importorskip("xdist")
    project.write("test_sleep.py", SLEEPER)
    child_file = project.root / "child.pid"
    run_dir = project.root / "run"
    argv = [str(project.blackbox_bin), "run", "--run-dir", str(run_dir), "--no-metrics", *options]
    argv += ["--", *project.pytest_command("test_sleep.py", "-n", "2")]
    supervisor = subprocess.Popen(
        argv,
        cwd=project.root,
        env=project.env({"CHILD_PID": str(child_file)}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        child = pids.add(wait_for(lambda: read_pid(child_file), timeout=60))
        stems = wait_for(lambda: len(journal_pids(run_dir)) == 3 and journal_pids(run_dir))
        pytest_pids = [pids.add(pid) for pid in stems.values()]
        assert all(pids.alive(pid) for pid in pytest_pids)
        os.kill(supervisor.pid, signal.SIGKILL)
    finally:
        supervisor.wait(timeout=30)
    # pytest by its parent-death signal, the workers by the dead man's switch, the child that
    # left the group by the switch too, through the cgroup.
    wait_for(lambda: not any(pids.alive(pid) for pid in pytest_pids), timeout=10)
    cgroup = supervisor_record(run_dir)["cgroup"]
    in_cgroup = cgroup is not None
    if in_cgroup:
        wait_for(lambda: not pids.alive(child), timeout=10)
        wait_for(lambda: not os.path.exists(cgroup), timeout=10)  # emptied and removed
    report = project.show(run_dir)
    assert report["status"] == "incomplete"
    assert report["running"] == []
    lost = report["supervisor_lost"]
    assert lost is not None and lost["pid"] == supervisor.pid
    assert lost["cgroup_killed"] >= (1 if in_cgroup else 0)
    sleeping = [c for c in report["crashes"] if c["nodeid"] == "test_sleep.py::test_sleeps"]
    assert sleeping and all(c["cause"] == "killed" and c["collateral"] for c in sleeping)
    text = project.blackbox("show", str(run_dir))
    assert f"the supervisor (pid {supervisor.pid}) died during attempt 1" in text.stdout


def test_show_on_a_run_that_is_still_going_says_so(project, pids):
    project.write("test_sleep.py", SLEEPER)
    child_file = project.root / "child.pid"
    run_dir = project.root / "run"
    argv = [str(project.blackbox_bin), "run", "--run-dir", str(run_dir), "--no-metrics", "--"]
    argv += project.pytest_command("test_sleep.py")
    supervisor = subprocess.Popen(
        argv,
        cwd=project.root,
        env=project.env({"CHILD_PID": str(child_file)}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        pids.add(wait_for(lambda: read_pid(child_file), timeout=60))
        main = pids.add(next(iter(journal_pids(run_dir).values())))
        report = project.show(run_dir)
        assert report["status"] == "running"
        assert report["crashes"] == []
        running = {process["role"]: process for process in report["running"]}
        assert running["supervisor"]["pid"] == supervisor.pid
        assert running["main"]["pid"] == main
        assert running["main"]["nodeid"] == "test_sleep.py::test_sleeps"
        assert running["main"]["phase"] == "call"
        text = project.blackbox("show", str(run_dir)).stdout
        assert (
            f"still running: the supervisor (pid {supervisor.pid}), pytest (pid {main}) in " in text
        )
        assert "test_sleep.py::test_sleeps (call)" in text
        assert "crash" not in text
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=30)
    assert project.show(run_dir)["status"] == "interrupted"


def test_show_on_a_plain_pytest_run_that_is_still_going_says_so(project, blackbox_bin, pids):
    """No supervisor: `pytest --blackbox` alone; its journal names the running pytest."""
    project.write("test_sleep.py", SLEEPER)
    child_file = project.root / "child.pid"
    plugin = blackbox_bin.parent.parent / "share" / "blackbox" / "python"
    env = project.env(
        {
            "PYTHONPATH": str(plugin),
            "PYTEST_PLUGINS": "pytest_blackbox.plugin",
            "CHILD_PID": str(child_file),
        }
    )
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "--blackbox",
        "test_sleep.py",
    ]
    pytest_process = subprocess.Popen(
        command, cwd=project.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        pids.add(pytest_process.pid)
        pids.add(wait_for(lambda: read_pid(child_file), timeout=60))
        report = project.show()
        assert report["status"] == "running"
        assert report["crashes"] == []
        assert [(p["role"], p["pid"]) for p in report["running"]] == [("main", pytest_process.pid)]
    finally:
        pytest_process.kill()
        pytest_process.wait(timeout=30)
