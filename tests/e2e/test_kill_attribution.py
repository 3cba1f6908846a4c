"""External SIGKILLs at random moments: attribution matches the tests' own ground truth."""

import os
import random
import signal
import subprocess
import time

import pytest
from conftest import report_data, wait_for

# Each test records, before our next journal record can, which phase of which test it is in.
SUITE = """
import os
import time
import pytest

TRUTH = os.open(os.environ["GROUND_TRUTH"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

def mark(phase, nodeid):
    os.write(TRUTH, f"{phase} {nodeid}\\n".encode())

@pytest.fixture(autouse=True)
def truth(request):
    mark("setup", request.node.nodeid)
    time.sleep(0.002)
    yield
    mark("teardown", request.node.nodeid)
    time.sleep(0.002)

@pytest.mark.parametrize("n", range(400))
def test_step(request, n):
    mark("call", request.node.nodeid)
    time.sleep(0.003)
"""

ORDER = {"setup": 0, "call": 1, "teardown": 2}


def main_pid(run_dir):
    journals = list((run_dir / "journal").glob("1-main-*.jsonl"))
    return int(journals[0].stem.rsplit("-", 1)[1]) if journals else None


def order_of(nodeid):
    return int(nodeid.split("[")[1].rstrip("]"))


def consistent(truth, crash):
    """Whether our (nodeid, phase) is the ground truth's state or the one right after it."""
    ours_test = crash["nodeid"]
    ours_phase = crash["phase"]
    if not truth:
        return ours_test is None or (order_of(ours_test) == 0 and ours_phase == "setup")
    phase, nodeid = truth[-1].split(" ", 1)
    k = order_of(nodeid)
    if ours_test is None:  # between two tests
        return ours_phase == "session" and phase == "teardown"
    j = order_of(ours_test)
    if j == k:
        return ORDER[ours_phase] - ORDER[phase] in (0, 1)
    return j == k + 1 and phase == "teardown" and ours_phase == "setup"


LOOPS = int(os.environ.get("BLACKBOX_KILL_LOOPS", "8"))


@pytest.mark.parametrize("seed", range(LOOPS))
def test_sigkill_of_pytest_at_a_random_moment_names_the_running_test(project, seed):
    project.write("test_k.py", SUITE)
    truth_file = project.root / "truth.txt"
    run_dir = project.root / "run"
    argv = [str(project.blackbox_bin), "run", "--run-dir", str(run_dir), "--"]
    argv += project.pytest_command("test_k.py", "-q")
    env = project.env({"GROUND_TRUTH": str(truth_file)})
    with subprocess.Popen(
        argv, cwd=project.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    ) as supervisor:
        pid = wait_for(lambda: main_pid(run_dir))
        wait_for(lambda: truth_file.exists() and truth_file.stat().st_size > 0)
        time.sleep(random.Random(seed).uniform(0.0, 1.0))
        os.kill(pid, signal.SIGKILL)
        _, stderr = supervisor.communicate(timeout=60)
    assert supervisor.returncode == 128 + signal.SIGKILL, stderr
    report = project.show(run_dir)
    truth = truth_file.read_text().splitlines()
    crash = [c for c in report["crashes"]][0]
    assert len(report["crashes"]) == 1
    assert crash["cause"] == "killed" and crash["signal"] == "SIGKILL"
    assert consistent(truth, crash), (truth[-3:], crash["nodeid"], crash["phase"])


@pytest.mark.versions
def test_sigkill_of_the_whole_session_including_the_supervisor(project):
    project.write("test_k.py", SUITE)
    truth_file = project.root / "truth.txt"
    run_dir = project.root / "run"
    argv = [str(project.blackbox_bin), "run", "--run-dir", str(run_dir), "--"]
    argv += project.pytest_command("test_k.py", "-q")
    env = project.env({"GROUND_TRUTH": str(truth_file)})
    supervisor = subprocess.Popen(
        argv, cwd=project.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        pid = wait_for(lambda: main_pid(run_dir))
        wait_for(lambda: truth_file.exists() and len(truth_file.read_text().splitlines()) > 30)
        os.kill(supervisor.pid, signal.SIGKILL)
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    finally:
        supervisor.wait(timeout=30)
    wait_for(lambda: not os.path.exists(f"/proc/{pid}") or _is_zombie(pid))
    report = project.show(run_dir)
    assert report["status"] == "incomplete"
    assert report["exit"]["blackbox"] is None
    crash = report["crashes"][0]
    truth = truth_file.read_text().splitlines()
    assert consistent(truth, crash), (truth[-3:], crash)
    assert crash["nodeid"] is not None or crash["phase"] == "session"
    text = project.blackbox("show", str(run_dir))
    assert text.returncode == 0
    assert "incomplete" in text.stdout
    # The supervisor died before its reports: the HTML report is rebuilt from the files alone.
    assert not (run_dir / "report.html").exists()
    page = project.root / "late.html"
    assert project.blackbox("report", str(run_dir), "--html", str(page)).returncode == 0
    data = report_data(page)
    assert data["run"]["status"] == "incomplete" and data["run"]["sampled"]
    assert data["crashes"][0]["nodeid"] == crash["nodeid"]


def _is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
