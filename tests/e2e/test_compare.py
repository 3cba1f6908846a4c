"""`blackbox compare` and `blackbox history` on metrics databases: the exit status CI gates on,
the table and the JSON. Most databases here are made row by row with the documented schema
(docs/formats/metrics-db.md); one is recorded by real runs."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

STEADY_SUITE = Path(__file__).resolve().parents[2] / "examples" / "steady-suite"

MiB = 1024 * 1024

# Our two tables and the schema version, as docs/formats/metrics-db.md documents them.
SCHEMA = """
CREATE TABLE blackbox_runs (
    session_h TEXT PRIMARY KEY, run_id TEXT, run_dir TEXT, env_h TEXT, started TEXT, ended TEXT,
    duration_s REAL, command TEXT, status TEXT, exit_code INTEGER, attempts INTEGER,
    collected INTEGER, passed INTEGER, failed INTEGER, skipped INTEGER, xfailed INTEGER,
    xpassed INTEGER, errors INTEGER, crashed INTEGER, not_run INTEGER, context TEXT,
    ingested TEXT);
CREATE TABLE blackbox_tests (
    session_h TEXT, nodeid TEXT, outcome TEXT, worker TEXT, attempt INTEGER, start TEXT,
    setup_s REAL, call_s REAL, teardown_s REAL, total_s REAL, user_s REAL, sys_s REAL,
    peak_rss_bytes INTEGER, peak_exact INTEGER, peak_tree_rss_bytes INTEGER,
    rss_before_bytes INTEGER, rss_after_bytes INTEGER, retained_bytes INTEGER,
    monitored INTEGER, PRIMARY KEY (session_h, nodeid));
PRAGMA user_version = 1;
"""


class History:
    """A metrics database built one session at a time, oldest first, as an older blackbox wrote
    it (schema version 1: no settings column, so a run's settings are read from its tests'
    workers: none, serial)."""

    def __init__(self, path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.count = 0
        with sqlite3.connect(path) as db:
            db.executescript(SCHEMA)

    def add(self, tests, env_h="env-a"):
        """Adds a session; `tests` maps node ids to (outcome, wall s, cpu s, bytes the test
        added to its process, which started at 30 MiB)."""
        self.count += 1
        session_h = f"{self.count:04d}" + "ab" * 14
        run_id = f"20260101T{self.count:02d}0000Z-00000{self.count}"
        with sqlite3.connect(self.path) as db:
            db.execute(
                "INSERT INTO blackbox_runs (session_h, run_id, env_h, started) VALUES (?,?,?,?)",
                (session_h, run_id, env_h, f"2026-01-01T{self.count:02d}:00:00.000000"),
            )
            for nodeid, (outcome, wall, cpu, added) in tests.items():
                db.execute(
                    "INSERT INTO blackbox_tests (session_h, nodeid, outcome, total_s, user_s,"
                    " sys_s, peak_rss_bytes, rss_before_bytes, retained_bytes)"
                    " VALUES (?,?,?,?,?,?,?,?,?)",
                    (session_h, nodeid, outcome, wall, cpu * 0.75, cpu * 0.25,
                     30 * MiB + added, 30 * MiB, 4096),
                )  # fmt: skip
        return run_id


def steady(slow_wall=1.0, hungry_added=100 * MiB, quick_wall=0.01):
    # test_slow waits (little CPU time): its wall time is its own.
    return {
        "tests/test_a.py::test_slow": ("passed", slow_wall, 0.02, 10 * MiB),
        "tests/test_a.py::test_hungry": ("passed", 0.2, 0.1, hungry_added),
        "tests/test_a.py::test_quick": ("passed", quick_wall, quick_wall, 0),
    }


@pytest.fixture
def history(project):
    return History(project.root / ".blackbox" / "metrics.db")


def test_a_slower_and_a_hungrier_test_fail_the_gate(project, history):
    for wall in (1.0, 1.02, 0.98, 1.01, 0.99):
        history.add(steady(slow_wall=wall))
    newest = history.add(steady(slow_wall=1.5, hungry_added=200 * MiB, quick_wall=0.04))
    result = project.blackbox("compare")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        f"Run {newest} (2026-01-01 06:00:00 UTC, serial) against the median of 5 runs with the "
        "same settings on the same execution context"
    )
    assert "Compared 3 tests that passed on both sides." in lines
    table = lines[lines.index("Regressions (2):") + 1 :][:3]
    assert table[0].split() == ["test", "metric", "base", "new", "change", "limit"]
    assert table[1].split() == ["tests/test_a.py::test_hungry", "memory"] + [
        "100", "MiB", "200", "MiB", "+100%", "+20", "MiB"
    ]  # fmt: skip
    assert table[2].split() == ["tests/test_a.py::test_slow", "wall"] + [
        "1.000", "s", "1.500", "s", "+50%", "+310", "ms"
    ]  # fmt: skip
    # aligned: every column starts at the same place on each line
    assert len({line.index("metric") for line in table[:1]} | {table[1].index("memory")}) == 1
    assert "test_quick" not in result.stdout  # +300%, but 30 ms of CPU time is below the floor
    assert lines[-1].startswith("2 regressions beyond the thresholds")

    report = json.loads(project.blackbox("compare", "--json").stdout)
    assert report["verdict"] == "regressed" and report["exit_code"] == 1
    assert report["new"]["run_id"] == newest
    assert report["new"]["settings"] == {"workers": 0}
    assert len(report["baseline"]["sessions"]) == 5
    assert [(r["nodeid"], r["metric"]) for r in report["regressions"]] == [
        ("tests/test_a.py::test_hungry", "memory"),
        ("tests/test_a.py::test_slow", "wall"),
    ]
    assert report["regressions"][0]["base"] == 100 * MiB
    assert report["regressions"][1]["change"] == pytest.approx(0.5)
    assert report["regressions"][1]["limit"] == pytest.approx(0.25 + 3 * 0.02)


def test_noise_and_loosened_thresholds_pass_the_gate(project, history):
    for _ in range(3):
        history.add(steady())
    history.add(steady(slow_wall=1.1, hungry_added=105 * MiB))
    result = project.blackbox("compare")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No regression beyond the thresholds" in result.stdout

    history.add(steady(slow_wall=1.5, hungry_added=200 * MiB))
    assert project.blackbox("compare").returncode == 1
    loose = project.blackbox("compare", "--time-rel", "60%", "--mem-rel", "1.5", "--cpu-rel", "1")
    assert loose.returncode == 0, loose.stdout
    floors = project.blackbox("compare", "--time-abs", "1", "--mem-abs", "200MiB")
    assert floors.returncode == 0, floors.stdout


def test_a_test_is_judged_by_its_own_spread(project, history):
    # test_slow moves by about 0.2 s between runs: +50% is within five of its spreads.
    for wall in (1.0, 1.2, 0.8, 1.1, 0.9):
        history.add(steady(slow_wall=wall))
    history.add(steady(slow_wall=1.5))
    assert project.blackbox("compare").returncode == 0
    assert project.blackbox("compare", "--spread", "1").returncode == 1


def test_improvements_are_reported_and_never_fail(project, history):
    for _ in range(3):
        history.add(steady(slow_wall=2.0))
    history.add(steady(slow_wall=1.0))
    result = project.blackbox("compare")
    assert result.returncode == 0
    assert "Improvements (1):" in result.stdout
    assert "-50%" in result.stdout


def test_sessions_named_explicitly(project, history):
    first = history.add(steady(slow_wall=1.0))
    second = history.add(steady(slow_wall=2.0))
    history.add(steady(slow_wall=1.0))
    assert project.blackbox("compare", first, second).returncode == 1
    assert project.blackbox("compare", second, first).returncode == 0
    assert project.blackbox("compare", "latest~2", "latest~1").returncode == 1
    assert project.blackbox("compare", "0002").returncode == 0  # SESSION_H prefix vs the newest
    report = json.loads(project.blackbox("compare", "--json", first, second).stdout)
    assert report["new"]["run_id"] == second
    assert [s["run_id"] for s in report["baseline"]["sessions"]] == [first]
    assert report["thresholds"]["min_sessions"] == 1  # one session: the floors alone


def test_tests_not_passed_on_both_sides_are_counted_not_compared(project, history):
    for _ in range(3):
        history.add(steady())
    newest = steady(slow_wall=9.0)
    newest["tests/test_a.py::test_slow"] = ("failed", 9.0, 0.1, 40 * MiB)
    del newest["tests/test_a.py::test_quick"]
    newest["tests/test_b.py::test_new"] = ("passed", 9.0, 9.0, 900 * MiB)
    history.add(newest)
    result = project.blackbox("compare")
    assert result.returncode == 0, result.stdout
    assert (
        "Compared 1 test that passed on both sides; not compared: 1 without a baseline, "
        "1 missing now, 1 not passed now." in result.stdout
    )
    report = json.loads(project.blackbox("compare", "--json").stdout)
    assert report["without_baseline"] == ["tests/test_b.py::test_new"]
    assert report["missing"] == ["tests/test_a.py::test_quick"]
    assert report["not_passed"] == [{"nodeid": "tests/test_a.py::test_slow", "outcome": "failed"}]


def test_too_little_history_is_nothing_to_compare(project, history):
    history.add(steady())
    history.add(steady())
    history.add(steady(slow_wall=9.0))
    result = project.blackbox("compare")
    assert result.returncode == 2, result.stdout
    assert "3 passed in fewer than 3 baseline runs" in result.stdout
    assert project.blackbox("compare", "--min-sessions", "2").returncode == 1


def test_the_baseline_prefers_the_same_execution_context(project, history):
    for _ in range(3):
        history.add(steady(slow_wall=5.0), env_h="env-b")
        history.add(steady(slow_wall=1.0), env_h="env-a")
    history.add(steady(slow_wall=1.5), env_h="env-a")
    result = project.blackbox("compare", "--json")
    report = json.loads(result.stdout)
    assert [s["env_h"] for s in report["baseline"]["sessions"]] == ["env-a"] * 3
    assert result.returncode == 1


def test_another_context_is_a_fallback_with_a_note(project, history):
    for runner in range(1, 5):
        history.add(steady(slow_wall=1.0), env_h=f"ci-runner-{runner}")
    result = project.blackbox("compare")
    assert result.returncode == 0, result.stdout
    assert "Note: no session with its settings ran on this execution context" in result.stdout
    strict = project.blackbox("compare", "--same-context")
    assert strict.returncode == 2
    assert "Nothing to compare: " in strict.stdout and "--same-context" in strict.stdout


def test_nothing_to_compare_against_exits_2(project, history):
    missing = project.blackbox("compare", "--db", str(project.root / "nowhere.db"))
    assert missing.returncode == 2
    assert "no metrics database at" in missing.stderr
    assert project.blackbox("compare").returncode == 2  # an empty database
    only = history.add(steady())
    alone = project.blackbox("compare")
    assert alone.returncode == 2
    assert alone.stdout == f"Nothing to compare: run {only} is the only session in the " \
        "metrics database.\n"  # fmt: skip
    assert json.loads(project.blackbox("compare", "--json").stdout)["exit_code"] == 2


def test_wrong_arguments_exit_2(project, history):
    history.add(steady())
    history.add(steady())
    for args in (
        ["--no-such-option"],
        ["--time-rel", "fast"],
        ["--mem-abs", "12X"],
        ["--last", "0"],
        ["--spread", "-1"],
        ["--min-sessions", "0"],
        ["no-such-run"],
        ["latest", "latest"],
        ["latest~5"],
    ):
        result = project.blackbox("compare", *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert project.blackbox("history").returncode == 2
    assert project.blackbox("history", "x", "--bogus").returncode == 2


def test_a_file_that_is_not_a_metrics_database_exits_2(project):
    (project.root / "notes.db").write_text("not a database at all, just text" * 10)
    result = project.blackbox("compare", "--db", "notes.db")
    assert result.returncode == 2
    assert "notes.db" in result.stderr
    with sqlite3.connect(project.root / "other.db") as db:
        db.execute("CREATE TABLE other (x)")
    result = project.blackbox("history", "t::a", "--db", "other.db")
    assert result.returncode == 2
    assert "not a blackbox metrics database" in result.stderr


def test_history_shows_a_tests_trend_newest_last(project, history):
    runs = [history.add(steady(slow_wall=wall)) for wall in (1.0, 1.2, 1.4)]
    result = project.blackbox("history", "tests/test_a.py::test_slow")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "tests/test_a.py::test_slow: 3 sessions recorded, oldest first"
    assert lines[1].split() == [
        "run", "date", "(UTC)", "run", "id", "outcome", "wall", "cpu", "peak", "added", "retained"
    ]  # fmt: skip
    assert [line.split()[2] for line in lines[2:]] == runs
    assert lines[-1].split()[3:] == ["passed", "1.400", "s", "20", "ms", "40", "MiB", "10"] + [
        "MiB", "+4", "KiB"
    ]  # fmt: skip

    last = json.loads(project.blackbox("history", "tests/test_a.py::test_slow", "--last", "2",
                                       "--json").stdout)  # fmt: skip
    assert last["recorded"] == 3
    assert [s["run_id"] for s in last["sessions"]] == runs[1:]
    assert last["sessions"][-1]["wall_s"] == pytest.approx(1.4)
    assert last["sessions"][-1]["peak_rss_bytes"] == 40 * MiB
    assert last["sessions"][-1]["added_bytes"] == 10 * MiB


def test_history_takes_the_one_test_a_name_part_matches(project, history):
    history.add(steady())
    result = project.blackbox("history", "test_slow")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("tests/test_a.py::test_slow: 1 session recorded")
    several = project.blackbox("history", "test_")
    assert several.returncode == 2
    assert "tests/test_a.py::test_slow" in several.stderr
    assert "tests/test_a.py::test_quick" in several.stderr


SUITE = """
import os

def test_steady():
    pass

def test_changing():
    import time
    if os.environ.get("MAKE_IT_WORSE"):
        time.sleep(0.6)
        hog = bytearray(300 * 1024 * 1024)
        hog[::4096] = b"x" * len(hog[::4096])
"""


def test_real_runs_gate_on_a_test_made_slower_and_hungrier(project):
    project.write("test_suite.py", SUITE)
    for _ in range(4):
        project.run("test_suite.py")
    assert project.blackbox("compare").returncode == 0
    project.run("test_suite.py", env={"MAKE_IT_WORSE": "1"})
    result = project.blackbox("compare", "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 1, result.stdout
    flagged = {(r["nodeid"], r["metric"]) for r in report["regressions"]}
    assert ("test_suite.py::test_changing", "wall") in flagged
    assert ("test_suite.py::test_changing", "memory") in flagged
    assert not any(nodeid == "test_suite.py::test_steady" for nodeid, _ in flagged)
    trend = project.blackbox("history", "test_suite.py::test_changing")
    assert trend.returncode == 0
    assert len(trend.stdout.splitlines()) == 2 + 5


def test_unchanged_code_never_fails_the_gate_and_planted_regressions_do(project):
    """Ten runs of the same suite, serial and with two xdist workers interleaved, each compared
    with the ones before: never a regression (exit 0, or 2 while a test has too little history of
    its settings). Then a test made 60% slower (it waits 80 ms instead of 50) and a test that
    allocates 50 MiB more: each alone fails the gate, named."""
    pytest.importorskip("xdist")
    shutil.copytree(STEADY_SUITE, project.root, dirs_exist_ok=True)
    serial, xdist = (), ("-n", "2")
    verdicts = []
    for settings in [serial, serial, xdist, serial, xdist, serial, serial, xdist, serial, serial]:
        run = project.run(*settings)
        assert run.returncode == 0, run.stdout + run.stderr
        result = project.blackbox("compare", "--json")
        report = json.loads(result.stdout)
        verdicts.append((settings, result.returncode, report["compared"]))
        assert result.returncode != 1, json.dumps(report["regressions"], indent=1)
        # Like with like: the baseline holds only runs with the same workers.
        workers = 2 if settings else 0
        assert {s["settings"]["workers"] for s in report["baseline"]["sessions"]} <= {workers}
    # The serial runs from the fourth on had three serial runs before them: judged.
    assert [code for settings, code, _ in verdicts if not settings][3:] == [0, 0, 0, 0], verdicts
    assert all(compared == 27 for settings, code, compared in verdicts if code == 0), verdicts

    for planted, nodeid, metric in [
        ("STEADY_SLOWER", "tests/test_io.py::test_fetch_50ms", "wall"),
        ("STEADY_HUNGRIER", "tests/test_memory.py::test_build_index", "memory"),
    ]:
        assert project.run(env={planted: "1"}).returncode == 0
        result = project.blackbox("compare", "--json")
        report = json.loads(result.stdout)
        flagged = [(r["nodeid"], r["metric"]) for r in report["regressions"]]
        assert result.returncode == 1, (planted, report)
        assert (nodeid, metric) in flagged, (planted, flagged)
        text = project.blackbox("compare").stdout
        assert nodeid in text and "beyond the thresholds" in text, text


COMPUTES = """
import time

def test_compute():
    deadline = time.thread_time() + 0.06
    while time.thread_time() < deadline:
        pass
"""

# With HOGS=N, N processes spin on the session's processor from the collection to the session's
# end: the test itself runs unchanged, kept from its processor. Their pids go to HOG_PIDS.
HOGS_CONFTEST = """
import os, subprocess, sys

HOGS = []


def pytest_collection(session):
    for _ in range(int(os.environ.get("HOGS", "0"))):
        HOGS.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
    if HOGS:
        with open(os.environ["HOG_PIDS"], "w") as pids:
            pids.write(" ".join(str(hog.pid) for hog in HOGS))


def pytest_sessionfinish(session):
    for hog in HOGS:
        hog.kill()
        hog.wait()
"""


def test_a_test_kept_from_the_processor_is_not_failed_for_it(project, tmp_path):
    """A test that computes 60 ms, once run beside eight processes spinning on its processor: it
    waits for a processor most of its wall time. The scheduler's measure of that wait forgives
    it; the estimate alone (3× its CPU time) would have failed the gate."""
    if not Path("/proc/thread-self/schedstat").exists():
        pytest.skip("this kernel keeps no schedstats (/proc/thread-self/schedstat)")
    import os
    import signal

    cpu = min(os.sched_getaffinity(0))
    pinned = {"preexec_fn": lambda: os.sched_setaffinity(0, {cpu})}
    project.write("test_suite.py", COMPUTES)
    project.write("conftest.py", HOGS_CONFTEST)
    for _ in range(3):
        assert project.run("test_suite.py", **pinned).returncode == 0
    pids = tmp_path / "hogs"
    try:
        loaded = project.run("test_suite.py", env={"HOGS": "8", "HOG_PIDS": str(pids)}, **pinned)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    finally:
        for pid in pids.read_text().split() if pids.exists() else ():
            try:  # only a hog the session could not end, never a process that took its pid
                if b"while True" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(int(pid), signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                pass
    database = project.root / ".blackbox" / "metrics.db"
    runs = (
        sqlite3.connect(database)
        .execute(
            "SELECT r.session_h, total_s, user_s + sys_s, main_cpu_s, run_delay_s FROM "
            "blackbox_tests t JOIN blackbox_runs r USING (session_h) ORDER BY r.started, r.run_id"
        )
        .fetchall()
    )
    assert len(runs) == 4, runs
    loaded = runs[-1]
    _, wall, cpu_s, main_cpu, run_delay = loaded
    assert run_delay > 3 * cpu_s, loaded  # it mostly waited for the processor
    assert main_cpu <= cpu_s + 0.01, loaded
    # The gate as CI runs it (the median of the runs before), and against the quickest of them
    # alone (the floors only: the other end-to-end tests that share the machine make the history
    # itself noisy, and one run against one leaves no spread to hide the wait in).
    quickest = min(runs[:-1], key=lambda run: run[1])[0]
    for argv in [(), (quickest, "latest")]:
        result = project.blackbox("compare", "--json", *argv)
        report = json.loads(result.stdout)
        assert result.returncode == 0, json.dumps(report["regressions"], indent=1)
        assert report["compared"] == 1
    # Without the measure, the same figures fail the gate on the test's wall time.
    estimated = tmp_path / "estimated.db"
    shutil.copy(database, estimated)
    with sqlite3.connect(estimated) as db:
        db.execute("UPDATE blackbox_tests SET main_cpu_s = NULL, run_delay_s = NULL")
    result = project.blackbox("compare", "--json", "--db", str(estimated), quickest, "latest")
    report = json.loads(result.stdout)
    assert result.returncode == 1, (runs, report)
    assert [(r["nodeid"], r["metric"]) for r in report["regressions"]] == [
        ("test_suite.py::test_compute", "wall")
    ]
