"""The metrics database written by `blackbox run` and `blackbox ingest` from real pytest runs,
read back with Python's sqlite3 as pytest-monitor's users read theirs
(docs/formats/metrics-db.md)."""

import json
import shutil
import signal
import sqlite3
import subprocess

SUITE = """
import time


def test_quick():
    pass


def test_slow():
    time.sleep(0.1)


def test_fails():
    assert False
"""

CRASHING = """
import ctypes


def test_before():
    pass


def test_segv():
    ctypes.string_at(0)


def test_after():
    pass
"""

# A query written for a pytest-monitor `.pymon` file: each test's time and memory with its
# session and machine.
PYTEST_MONITOR_QUERY = """
SELECT ts.RUN_DATE, tm.ITEM_PATH, tm.ITEM, tm.ITEM_VARIANT, tm.TOTAL_TIME, tm.MEM_USAGE,
       ec.MACHINE_NODE
FROM TEST_METRICS tm
JOIN TEST_SESSIONS ts ON ts.SESSION_H = tm.SESSION_H
JOIN EXECUTION_CONTEXTS ec ON ec.ENV_H = tm.ENV_H
WHERE tm.KIND = 'function'
ORDER BY tm.ITEM
"""


def rows(database, sql, *params):
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(sql, params)]


def test_blackbox_run_stores_the_run_in_the_default_database(project):
    project.write("test_suite.py", SUITE)
    result = project.run("test_suite.py")
    assert result.returncode == 1, result.stderr
    assert "blackbox: metrics stored in .blackbox/metrics.db" in result.stderr
    database = project.root / ".blackbox" / "metrics.db"
    found = rows(database, PYTEST_MONITOR_QUERY)
    assert [row["ITEM"] for row in found] == ["test_fails", "test_quick", "test_slow"]
    slow = found[2]
    assert slow["ITEM_PATH"] == "test_suite" and slow["ITEM_VARIANT"] == "test_slow"
    assert slow["TOTAL_TIME"] >= 0.1
    assert slow["MEM_USAGE"] > 5  # MiB: an interpreter's resident memory at the least
    assert slow["RUN_DATE"].startswith("20") and "T" in slow["RUN_DATE"]
    outcomes = rows(database, "SELECT NODEID, OUTCOME FROM TEST_METRICS ORDER BY NODEID")
    assert [(row["NODEID"], row["OUTCOME"]) for row in outcomes] == [
        ("test_suite.py::test_fails", "failed"),
        ("test_suite.py::test_quick", "passed"),
        ("test_suite.py::test_slow", "passed"),
    ]
    (run,) = rows(database, "SELECT * FROM blackbox_runs")
    assert run["run_id"] == project.latest.name
    assert (run["status"], run["exit_code"], run["collected"]) == ("failed", 1, 3)
    assert json.loads(run["command"])[-1] == "test_suite.py"


def test_a_crashed_test_gets_a_crashed_row(project):
    project.write("test_a.py", CRASHING)
    result = project.run("test_a.py")
    assert result.returncode == 128 + signal.SIGSEGV
    database = project.root / ".blackbox" / "metrics.db"
    found = rows(database, "SELECT NODEID, OUTCOME FROM TEST_METRICS ORDER BY NODEID")
    # test_after never ran: no row.
    assert [(row["NODEID"], row["OUTCOME"]) for row in found] == [
        ("test_a.py::test_before", "passed"),
        ("test_a.py::test_segv", "crashed"),
    ]
    (crash,) = rows(database, "SELECT * FROM blackbox_crashes")
    assert (crash["nodeid"], crash["phase"], crash["cause"]) == (
        "test_a.py::test_segv",
        "call",
        "segfault",
    )
    (run,) = rows(database, "SELECT status, crashed, not_run FROM blackbox_runs")
    assert run == {"status": "crashed", "crashed": 1, "not_run": 1}


def test_no_metrics_and_db_choose_where_the_run_goes(project):
    project.write("test_suite.py", SUITE)
    project.run("test_suite.py", options=["--no-metrics"])
    assert not (project.root / ".blackbox" / "metrics.db").exists()
    result = project.run("test_suite.py", options=["--db", "elsewhere/m.db"])
    assert "metrics stored in elsewhere/m.db" in result.stderr
    assert len(rows(project.root / "elsewhere" / "m.db", "SELECT * FROM blackbox_tests")) == 3


def test_a_store_error_never_changes_the_runs_exit_status(project):
    project.write("test_ok.py", "def test_ok():\n    pass\n")
    (project.root / "not-a-db").write_text("some text that is not a database\n" * 200)
    result = project.run("test_ok.py", options=["--db", "not-a-db"])
    assert result.returncode == 0, result.stderr
    assert "metrics not stored" in result.stderr and "not a SQLite database" in result.stderr


def test_ingest_stores_a_run_and_replaces_it_when_ingested_again(project):
    project.write("test_suite.py", SUITE)
    project.run("test_suite.py", options=["--no-metrics"])
    first = project.blackbox("ingest")
    assert first.returncode == 0, first.stderr
    assert "3 tests, 3 metrics rows, 0 crashes" in first.stdout
    database = project.root / ".blackbox" / "metrics.db"
    again = project.blackbox("ingest", str(project.latest))
    assert again.returncode == 0, again.stderr
    assert len(rows(database, "SELECT * FROM TEST_METRICS")) == 3
    assert len(rows(database, "SELECT * FROM TEST_SESSIONS")) == 1


def test_ingest_refuses_a_foreign_database(project, tmp_path):
    project.write("test_ok.py", "def test_ok():\n    pass\n")
    project.run("test_ok.py", options=["--no-metrics"])
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE users (name TEXT)")
    result = project.blackbox("ingest", "--db", str(foreign))
    assert result.returncode == 2
    assert "another program" in result.stderr
    assert [row["name"] for row in rows(foreign, "SELECT name FROM sqlite_master")] == ["users"]


def test_ingest_of_something_that_is_not_a_run_fails_with_2(project, tmp_path):
    result = project.blackbox("ingest", str(tmp_path))
    assert result.returncode == 2
    assert "not a blackbox run directory" in result.stderr


def test_four_concurrent_ingests_into_one_database_lose_nothing(project, tmp_path):
    project.write(
        "test_many.py",
        "import pytest\n\n\n@pytest.mark.parametrize('n', range(2000))\ndef test_n(n):\n    pass\n",
    )
    project.run("test_many.py", options=["--no-metrics"])
    # Four copies of the run, each its own run (its own id): four sessions.
    copies = []
    for i in range(4):
        copy = tmp_path / f"run-{i}"
        shutil.copytree(project.latest, copy, symlinks=True)
        run_json = json.loads((copy / "run.json").read_text())
        run_json["id"] = f"{run_json['id']}-copy{i}"
        (copy / "run.json").write_text(json.dumps(run_json))
        copies.append(copy)
    database = tmp_path / "shared" / "metrics.db"  # created by whichever comes first
    ingests = [
        subprocess.Popen(
            [str(project.blackbox_bin), "ingest", "--db", str(database), str(copy)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for copy in copies
    ]
    for ingest in ingests:
        out, err = ingest.communicate(timeout=120)
        assert ingest.returncode == 0, err
    assert len(rows(database, "SELECT * FROM TEST_SESSIONS")) == 4
    counts = rows(database, "SELECT SESSION_H, count(*) AS n FROM TEST_METRICS GROUP BY SESSION_H")
    assert sorted(row["n"] for row in counts) == [2000] * 4
    assert rows(database, "SELECT count(*) AS n FROM blackbox_tests") == [{"n": 8000}]
    assert len(rows(database, "SELECT * FROM EXECUTION_CONTEXTS")) == 1
