"""Stopping a run: signals reach pytest's whole process group and the run reads as interrupted."""

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time
import xml.etree.ElementTree as ElementTree

from conftest import load_report

SLOW_SUITE = """
import subprocess
import sys
import time

def test_first():
    pass

def test_slow():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    print("grandchild", child.pid, flush=True)
    time.sleep(300)
"""


def wait_for_text(path, text, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.02)
    raise AssertionError(f"{text!r} never appeared in {path}")


def grandchild_pid(log):
    for line in log.read_text().splitlines():
        if line.startswith("grandchild "):
            return int(line.split()[1])
    return None


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigint_stops_the_tree_and_reads_as_interrupted(project):
    project.write("test_s.py", SLOW_SUITE)
    run_dir = project.root / "run"
    argv = [str(project.blackbox_bin), "run", "--run-dir", str(run_dir), "--"]
    argv += project.pytest_command("test_s.py", "-s")
    supervisor = subprocess.Popen(
        argv, cwd=project.root, env=project.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    wait_for_text(run_dir / "output.log", "grandchild")
    grandchild = grandchild_pid(run_dir / "output.log")
    supervisor.send_signal(signal.SIGINT)
    supervisor.communicate(timeout=20)
    assert supervisor.returncode == 2  # pytest's own status for an interrupted session
    report = project.show(run_dir)
    assert report["status"] == "interrupted"
    assert report["crashes"] == []
    # pytest caught the KeyboardInterrupt: the test it stopped was running, not "not run".
    (stopped,) = report["interrupted"]
    assert stopped["nodeid"] == "test_s.py::test_slow" and stopped["phase"] == "call"
    assert stopped["reason"] == "KeyboardInterrupt" and stopped["signal"] == "SIGINT"
    assert report["tests"]["interrupted"] == 1 and report["tests"]["not_run"] == 1
    assert not alive(grandchild)


def test_sigterm_stops_the_whole_tree_and_the_running_test_reads_as_interrupted(project):
    project.write("test_s.py", SLOW_SUITE + "\ndef test_never():\n    pass\n")
    run_dir = project.root / "run"
    argv = [str(project.blackbox_bin), "run", "--run-dir", str(run_dir)]
    argv += ["--junitxml", "j.xml", "--json", "r.json", "--md", "s.md", "--"]
    argv += project.pytest_command("test_s.py", "-s", "--junitxml=own.xml")
    supervisor = subprocess.Popen(
        argv, cwd=project.root, env=project.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    wait_for_text(run_dir / "output.log", "grandchild")
    grandchild = grandchild_pid(run_dir / "output.log")
    supervisor.send_signal(signal.SIGTERM)
    _, stderr = supervisor.communicate(timeout=20)
    assert supervisor.returncode == 128 + signal.SIGTERM
    report = project.show(run_dir)
    assert report["status"] == "interrupted"
    assert not alive(grandchild)
    # The test SIGTERM stopped was running: said so everywhere, its outcome word unchanged.
    (stopped,) = report["interrupted"]
    assert stopped["nodeid"] == "test_s.py::test_slow" and stopped["signal"] == "SIGTERM"
    assert stopped["phase"] == "call" and stopped["reason"] == "stopped by SIGTERM"
    tests = {t["nodeid"]: t for t in load_report(project.root / "r.json")["tests"]}
    assert tests["test_s.py::test_slow"]["outcome"] == "not_run"
    assert tests["test_s.py::test_slow"]["interrupted"]["signal"] == "SIGTERM"
    assert tests["test_s.py::test_never"]["interrupted"] is None
    cases = {c.get("name"): c for c in ElementTree.parse(project.root / "j.xml").iter("testcase")}
    slow = cases["test_slow"].find("skipped")
    assert slow.get("type") == "blackbox.not_run"
    assert slow.get("message").startswith("interrupted: stopped by SIGTERM in the call")
    assert cases["test_never"].find("skipped").get("message").startswith("not run")
    assert "1 interrupted, 1 not run" in (project.root / "s.md").read_text()
    # pytest, killed, wrote no report of its own: blackbox completed it, saying the same.
    own = {c.get("name"): c for c in ElementTree.parse(project.root / "own.xml").iter("testcase")}
    assert sorted(own) == ["test_first", "test_never", "test_slow"]
    assert own["test_slow"].find("skipped").get("message").startswith("interrupted: stopped by")
    text = stderr.decode()  # the post-mortem on the terminal
    assert "interrupted test_s.py::test_slow: stopped by SIGTERM in the call" in text
    assert "1 passed, 1 interrupted, 1 not run" in text


def run_on_a_terminal(project, argv, send=None, timeout=60):
    """Runs argv with a pseudo-terminal as stdin/stdout/stderr; returns (status, output)."""
    pid, master = pty.fork()
    if pid == 0:
        # A real terminal has a size (a new pseudo-terminal says 0x0).
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
        os.chdir(project.root)
        env = project.env({"TERM": "xterm"})
        env.pop("NO_COLOR", None)
        os.execve(argv[0], argv, env)
    output = b""
    deadline = time.monotonic() + timeout
    sent = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        if send and not sent and send[0] in output:
            os.write(master, send[1])
            sent = True
    _, status = os.waitpid(pid, 0)
    os.close(master)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


def test_on_a_terminal_pytest_sees_a_tty_and_keeps_its_colours(project):
    project.write("test_t.py", "import sys\n\ndef test_tty():\n    assert sys.stdout.isatty()\n")
    argv = [str(project.blackbox_bin), "run", "--"] + project.pytest_command("test_t.py", "-s")
    status, output = run_on_a_terminal(project, argv)
    assert status == 0, output
    assert "\x1b[" in output  # pytest coloured its output
    assert "1 passed" in (project.latest / "output.log").read_text()


def test_ctrl_c_on_a_terminal_reaches_pytest(project):
    project.write("test_s.py", SLOW_SUITE)
    argv = [str(project.blackbox_bin), "run", "--"] + project.pytest_command("test_s.py", "-s")
    status, output = run_on_a_terminal(project, argv, send=(b"grandchild", b"\x03"))
    assert status == 2, output
    assert "KeyboardInterrupt" in output
    report = project.show()
    assert report["status"] == "interrupted"
    assert [t["nodeid"] for t in report["interrupted"]] == ["test_s.py::test_slow"]
    assert "test_s.py::test_slow: KeyboardInterrupt in the call" in output  # in colour


def test_pdb_works_through_the_recorder_on_a_terminal(project):
    project.write("test_p.py", "def test_fails():\n    value = 41\n    assert value == 42\n")
    argv = [str(project.blackbox_bin), "run", "--"] + project.pytest_command("test_p.py", "--pdb")
    status, output = run_on_a_terminal(project, argv, send=(b"(Pdb) ", b"p value + 1\nc\n"))
    assert "42" in output.split("(Pdb)", 1)[1]  # pdb evaluated our input
    assert status == 1, output
    assert project.show()["status"] == "failed"


def test_the_status_line_sits_on_the_bottom_row_and_is_gone_at_the_end(project):
    project.write(
        "test_l.py",
        "import time\n\ndef test_slow():\n    time.sleep(1.5)\n\ndef test_fast():\n    pass\n",
    )
    argv = [str(project.blackbox_bin), "run", "--"] + project.pytest_command("test_l.py")
    status, output = run_on_a_terminal(project, argv)
    assert status == 0, output
    # A scroll region above the bottom row, the status drawn there with the cursor saved and
    # restored, then the whole screen given back.
    assert "\x1b[1;" in output and "r\x1b8" in output
    assert "blackbox 0/2 tests  test_l.py::test_slow" in output
    assert output.rstrip().endswith("\x1b[r\x1b8") or "\x1b[r" in output.split("blackbox 0/2")[-1]
    log = (project.latest / "output.log").read_text()
    assert "blackbox 0/2" not in log  # the status line is ours, not pytest's output


def test_no_status_line_without_a_terminal(project):
    project.write("test_l.py", "import time\n\ndef test_slow():\n    time.sleep(0.5)\n")
    result = project.run("test_l.py")
    assert "\x1b7" not in result.stdout + result.stderr
