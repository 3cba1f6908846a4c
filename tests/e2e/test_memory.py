"""Memory: the trail, per-test peaks, --memory-max with a real OOM kill or the watchdog."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import load_report, only_crash, report_data

EATER = """
import time

def test_small():
    pass

def test_eats():
    chunks = []
    while True:
        chunk = bytearray(16 << 20)
        for offset in range(0, len(chunk), 4096):
            chunk[offset] = 1
        chunks.append(chunk){pause}

def test_after():
    pass
"""


def our_cgroups():
    """Directories of groups blackbox made (blackbox-<pid>-<n>) anywhere in the v1 memory
    hierarchy or the v2 tree."""
    found = []
    for root in (Path("/sys/fs/cgroup/memory"), Path("/sys/fs/cgroup")):
        if root.is_dir():
            found += [str(p) for p in root.rglob("blackbox-*") if p.is_dir()]
    return sorted(set(found))


def supervisor_alive(group):
    """Whether the supervisor that made `group` (blackbox-<pid>-<n>) still runs."""
    pid = int(Path(group).name.split("-")[1])
    return Path(f"/proc/{pid}").exists()


@pytest.fixture
def no_cgroup_left():
    """Fails the test when a blackbox cgroup outlives the supervisor that made it."""
    before = set(our_cgroups())
    yield
    left = [g for g in our_cgroups() if g not in before and not supervisor_alive(g)]
    assert left == []


def report(project, path="report.json"):
    return load_report(project.root / path)


@pytest.mark.versions
def test_a_real_oom_kill_under_a_cgroup_limit_names_the_test_and_the_line(project, no_cgroup_left):
    project.write("test_m.py", EATER.format(pause=""))
    result = project.run("test_m.py", options=["--memory-max", "300M", "--json", "report.json"])
    limit_line = next(line for line in result.stderr.splitlines() if "memory limit" in line)
    if "cgroup" not in limit_line:
        pytest.skip(
            f"no cgroup can be made here (needs root or a delegated v2 group): {limit_line}"
        )
    assert result.returncode == 128 + signal.SIGKILL
    crash = only_crash(report(project))
    assert (crash["nodeid"], crash["phase"], crash["cause"]) == (
        "test_m.py::test_eats",
        "call",
        "oom",
    )
    assert "kernel" in crash["evidence"] or "oom_kill" in crash["evidence"]
    assert 200 << 20 <= crash["rss_bytes"] <= 400 << 20  # near the 300 MiB limit
    # The stack was asked for at 90% of the limit: it shows the allocating loop.
    # Any line of the loop (10-13: allocate, walk, touch, keep) is where the memory goes.
    assert any(f'test_m.py", line {n} in test_eats' in crash["traceback"] for n in range(10, 14))
    # And every thread's native stack with it: the interpreter running the loop.
    assert crash["native_source"] == "handler"
    main_thread = next(t for t in crash["native_threads"] if t["tid"] == crash["pid"])
    assert any("python" in (frame["object"] or "") for frame in main_thread["frames"])
    assert report(project)["summary"]["passed"] == 1


@pytest.mark.versions
def test_the_watchdog_kills_the_tree_at_the_limit(project, no_cgroup_left):
    project.write("test_m.py", EATER.format(pause="\n        time.sleep(0.1)"))
    result = project.run(
        "test_m.py", options=["--memory-max", "300M", "--memory-watchdog", "--json", "report.json"]
    )
    assert "enforced by watchdog" in result.stderr
    assert result.returncode == 128 + signal.SIGKILL
    crash = only_crash(report(project))
    assert (crash["nodeid"], crash["cause"]) == ("test_m.py::test_eats", "memory_limit")
    assert "in test_eats" in crash["traceback"]  # the climb is slow enough to be caught
    assert crash["rss_bytes"] >= 250 << 20


def test_a_child_process_holding_memory_counts_in_the_tree_peak(project):
    project.write(
        "test_c.py",
        """
        import subprocess
        import sys

        HOLD = "b = bytearray(400 << 20)\\nfor i in range(0, len(b), 4096): b[i] = 1\\n" \\
               "import time; time.sleep(1)"

        def test_child_holds_400mb():
            subprocess.run([sys.executable, "-c", HOLD], check=True)
        """,
    )
    assert project.run("test_c.py", options=["--json", "report.json"]).returncode == 0
    (test,) = report(project)["tests"]
    assert test["peak_tree_rss_bytes"] >= 400 << 20
    assert test["peak_rss_bytes"] < 200 << 20  # the pytest process itself stayed small


def test_a_spike_of_a_few_milliseconds_shows_in_the_tests_own_peak(project):
    project.write(
        "test_s.py",
        """
        def test_quiet():
            pass

        def test_spike():
            block = bytearray(300 << 20)
            for offset in range(0, len(block), 4096):
                block[offset] = 1
            del block
        """,
    )
    project.run("test_s.py", options=["--json", "report.json", "--interval", "1"])
    tests = {t["nodeid"]: t for t in report(project)["tests"]}
    spike = tests["test_s.py::test_spike"]
    if spike["peak_rss_source"] != "exact":
        pytest.skip("this kernel does not let a process reset its memory high-water mark")
    assert spike["peak_rss_bytes"] >= 300 << 20
    assert tests["test_s.py::test_quiet"]["peak_rss_bytes"] < 150 << 20


def test_the_trail_is_written_and_readable(project):
    project.write("test_t.py", "import time\n\ndef test_t():\n    time.sleep(0.5)\n")
    project.run("test_t.py", options=["--interval", "0.05"])
    lines = (project.latest / "samples.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0]["ev"] == "sampler"
    samples = [r for r in records if r["ev"] == "sample"]
    # While pytest lived (a last sample may find the tree gone).
    alive = [s for s in samples if s["rss"] > 0]
    assert len(alive) >= 5, samples
    assert all(s["mem"]["available"] > 0 and s["procs"][0][1] > 0 for s in alive)


def test_sigterm_to_the_supervisor_leaves_no_cgroup_behind(project, no_cgroup_left):
    project.write("test_w.py", "import time\n\ndef test_wait():\n    time.sleep(300)\n")
    argv = [str(project.blackbox_bin), "run", "--memory-max", "1G", "--"]
    argv += project.pytest_command("test_w.py")
    supervisor = subprocess.Popen(
        argv, cwd=project.root, env=project.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while not list((project.root / ".blackbox" / "runs").glob("*/journal/1-main-*.jsonl")):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    supervisor.send_signal(signal.SIGTERM)
    supervisor.communicate(timeout=30)
    assert supervisor.returncode == 128 + signal.SIGTERM
    assert not [p for p in our_cgroups() if f"blackbox-{supervisor.pid}-" in p]


def test_the_test_that_grew_memory_is_named_when_another_one_dies(project, no_cgroup_left):
    project.write(
        "test_l.py",
        """
        import time

        KEPT = []

        def touch(megabytes):
            block = bytearray(megabytes << 20)
            for offset in range(0, len(block), 4096):
                block[offset] = 1
            return block

        def test_leaks():
            KEPT.append(touch(220))  # never freed
            time.sleep(0.5)

        def test_innocent():
            time.sleep(0.3)
            block = touch(150)  # fine alone, too much after the leak
        """,
    )
    result = project.run("test_l.py", options=["--memory-max", "300M", "--json", "report.json"])
    if "cgroup" not in result.stderr.split("memory limit", 1)[1].splitlines()[0]:
        pytest.skip("no cgroup can be made here (needs root or a delegated v2 group)")
    data = report(project)
    crash = only_crash(data)
    assert crash["nodeid"] == "test_l.py::test_innocent"
    assert crash["cause"] == "oom"
    assert data["memory"]["suspect"]["nodeid"] == "test_l.py::test_leaks"
    # Most of the 220 MiB it kept (near the limit, the kernel reclaims some of its file pages).
    assert data["memory"]["suspect"]["growth_bytes"] >= 150 << 20
    assert "test_l.py::test_leaks grew its process tree by" in result.stderr


FORKS_THEN_DIES = """
import os
import signal
import time

HELD = bytearray(150 << 20)
for offset in range(0, len(HELD), 4096):
    HELD[offset] = 1
CHILDREN = []


def test_forks_a_child_that_shares_pages():
    pid = os.fork()
    if pid == 0:
        total = 0
        for offset in range(0, len(HELD), 4096):
            total += HELD[offset]  # read, never written: every page stays shared
        time.sleep(60)
        os._exit(0)
    CHILDREN.append(pid)
    time.sleep(3)


def test_kills_itself():
    time.sleep(0.3)
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_forked_child_and_a_self_kill_make_no_cause_and_casualty(project, workers):
    """The child's RSS doubles the tree's (its pages are its parent's), its PSS does not; and a
    test that SIGKILLs itself did not die of memory: no suspect, in any view."""
    project.write("test_f.py", FORKS_THEN_DIES)
    result = project.run(
        "test_f.py",
        *workers,
        options=["--json", "report.json", "--md", "summary.md", "--html", "report.html"],
    )
    data = report(project)
    crash = only_crash(data)
    assert (crash["nodeid"], crash["cause"]) == ("test_f.py::test_kills_itself", "killed")
    assert data["memory"]["suspect"] is None
    assert "casualty" not in result.stderr
    assert "Suspect" not in (project.root / "summary.md").read_text()
    assert report_data(project.root / "report.html")["run"]["suspect"] is None
    forks = next(
        t for t in data["tests"] if t["nodeid"].endswith("test_forks_a_child_that_shares_pages")
    )
    # Measured without double counting: the shared 150 MiB once, not twice.
    assert data["memory"]["tree_measure"] == "pss"
    assert forks["peak_tree_rss_bytes"] >= 280 << 20
    # Unless the sampler's PSS budget allowed no read of both processes (a loaded machine,
    # and the xdist workers' 150 MiB each make a read dear): then an upper bound, said so.
    assert forks["peak_tree_pss_bytes"] < 250 << 20 or forks["tree_pss_from_rss"]
    assert forks["tree_pss_growth_bytes"] < 64 << 20
    samples = [json.loads(line) for line in (project.latest / "samples.jsonl").open()]
    assert samples[0]["pss_interval_s"] > 0
    assert any("pss" in s and all(len(p) == 4 for p in s["procs"]) for s in samples[1:])


def test_an_oom_kill_without_a_limit_is_recognised_and_the_recorder_survives(
    project, tmp_path, no_cgroup_left
):
    """The supervisor itself runs in a small cgroup (as on a small machine): the kernel's OOM
    killer picks pytest (its oom_score_adj is raised), the recorder lives to name it."""
    v1 = Path("/sys/fs/cgroup/memory")
    if os.geteuid() != 0 or not (v1 / "memory.limit_in_bytes").exists():
        pytest.skip("needs root and the cgroup v1 memory controller to make a small machine")
    own = Path("/proc/self/cgroup").read_text()
    memory_path = next(line.split(":", 2)[2] for line in own.splitlines() if ":memory:" in line)
    machine = v1 / memory_path.lstrip("/") / f"small-machine-{os.getpid()}"
    machine.mkdir()
    try:
        (machine / "memory.limit_in_bytes").write_text(str(350 << 20))
        if (machine / "memory.memsw.limit_in_bytes").exists():
            (machine / "memory.memsw.limit_in_bytes").write_text(str(350 << 20))
        project.write("test_m.py", EATER.format(pause=""))
        argv = [str(project.blackbox_bin), "run", "--json", "report.json", "--"]
        argv += project.pytest_command("test_m.py")
        result = subprocess.run(
            argv,
            cwd=project.root,
            env=project.env(),
            capture_output=True,
            text=True,
            timeout=180,
            preexec_fn=lambda: (machine / "cgroup.procs").write_text("0"),
        )
        assert result.returncode == 128 + signal.SIGKILL, result.stderr
        crash = only_crash(report(project))
        assert (crash["nodeid"], crash["cause"]) == ("test_m.py::test_eats", "oom")
        assert "Killed process" in crash["evidence"] or "oom_kill" in crash["evidence"]
    finally:
        for pid in (machine / "cgroup.procs").read_text().split():
            os.kill(int(pid), signal.SIGKILL)
        deadline = time.monotonic() + 10
        while True:
            try:
                machine.rmdir()
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.1)


HUNGRY = """
import subprocess
import sys

HELD = b"x" * (100 << 20)  # the process holds 100 MiB before any test runs
CHILD = "b = b'x' * (200 << 20)\\nimport time; time.sleep(1.5)"


def test_trivial_1():
    pass


def test_adds_40():
    data = b"x" * (40 << 20)
    del data


def test_trivial_2():
    pass


def test_child_holds_200():
    subprocess.run([sys.executable, "-c", CHILD], check=True)


def test_trivial_3():
    pass
"""


def hungry_rows(markdown):
    """The node ids of the Markdown's "Most memory-hungry tests", in order."""
    if "### Most memory-hungry tests" not in markdown:
        return []
    section = markdown.split("### Most memory-hungry tests", 1)[1].split("\n\n###", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [row.split("`")[1] for row in rows]


def test_the_most_memory_hungry_are_those_that_added_most(project):
    """Ranked by what each test added (in its process, or its tree: a child's memory), not by
    what its process held; a test that added nothing is not listed."""
    project.write("test_h.py", HUNGRY)
    result = project.run("test_h.py", options=["--md", "summary.md"])
    assert result.returncode == 0, result.stderr
    markdown = (project.root / "summary.md").read_text()
    assert hungry_rows(markdown) == ["test_h.py::test_child_holds_200", "test_h.py::test_adds_40"]
    run_dir = str(project.latest)
    quiet = project.blackbox("report", run_dir, "--md", "quiet.md", "--hungry-from", "1G")
    assert quiet.returncode == 0, quiet.stderr
    assert "memory-hungry" not in (project.root / "quiet.md").read_text()
    assert project.blackbox("report", run_dir, "--md", "x.md", "--hungry-from", "lots").returncode
