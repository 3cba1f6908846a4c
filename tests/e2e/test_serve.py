"""`blackbox serve` started for real on a free loopback port: pytest-monitor's client's exact
request sequence, `blackbox push` and `blackbox run --server` (idempotent, a server that is
down), the token, a fuzz of malformed requests that must change nothing, and a small load
(docs/http-api.md). Every scenario runs against both backends: a SQLite file, and a fresh
database of scripts/postgres-test-server's PostgreSQL (or $BLACKBOX_TEST_POSTGRES_URL's server);
where PostgreSQL cannot be started, its runs are skipped with the reason."""

import gzip
import hashlib
import http.client
import json
import os
import random
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from metrics_databases import PostgresDatabase, SqliteDatabase

try:
    import psycopg2
except ImportError:  # python3-psycopg2 (scripts/install-deps)
    psycopg2 = None

REPO = Path(__file__).resolve().parents[2]
RECORDED = REPO / "tests" / "unit" / "data" / "serve" / "pytest_monitor_session.json"
# What pytest-monitor's own client sent for two sessions of a small suite, captured once.
CLIENT_SESSIONS = REPO / "tests" / "unit" / "data" / "serve" / "pytest_monitor_client_sessions.json"

SUITE = """
import ctypes
def test_quick():
    pass
def test_fails():
    assert False
def test_segv():
    ctypes.string_at(0)
"""

TABLES = (
    "EXECUTION_CONTEXTS",
    "TEST_SESSIONS",
    "TEST_METRICS",
    "blackbox_runs",
    "blackbox_tests",
    "blackbox_crashes",
)


class Server:
    """A `blackbox serve` process on 127.0.0.1 and a free port, stopped with SIGTERM."""

    def __init__(self, blackbox_bin, database, *options):
        self.database = database
        self.process = subprocess.Popen(
            [str(blackbox_bin), "serve", "--listen", "127.0.0.1:0", "--db", database.argument]
            + list(options),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.first_line = line = self.process.stdout.readline()
        if "listening on http://127.0.0.1:" not in line:
            self.process.kill()
            raise AssertionError(f"the server did not start: {line}{self.process.stderr.read()}")
        self.port = int(line.split("127.0.0.1:")[1].split("/")[0])
        self.url = f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, token=None, raw=None):
        """(status, parsed JSON body or text) of one request on a new connection."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
        try:
            return response.status, json.loads(text) if text else None
        except ValueError:
            return response.status, text

    def alive(self):
        return self.process.poll() is None and self.request("GET", "/healthz")[0] == 200

    def stop(self):
        self.process.terminate()
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture(scope="session")
def postgres_url():
    """The test server's URL ($BLACKBOX_TEST_POSTGRES_URL, else scripts/postgres-test-server's,
    started when down), or a skip that says why there is none."""
    if psycopg2 is None:
        pytest.skip(
            "PostgreSQL: psycopg2 is not installed (python3-psycopg2, scripts/install-deps)"
        )
    url = os.environ.get("BLACKBOX_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        started = subprocess.run(
            [str(REPO / "scripts" / "postgres-test-server")],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"PostgreSQL: scripts/postgres-test-server did not run: {error}")
    if started.returncode != 0:
        reason = " ".join(started.stderr.split())[-300:]
        pytest.skip(f"PostgreSQL could not be started (scripts/postgres-test-server): {reason}")
    return started.stdout.split()[-1]


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request, tmp_path):
    """Makes an empty database of the parameter's kind, each call a new one."""
    server_url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    made = []

    def make():
        if server_url is None:
            database = SqliteDatabase(tmp_path / f"served{len(made)}.db")
        else:
            database = PostgresDatabase(server_url)
        made.append(database)
        return database

    yield make
    for database in made:
        if isinstance(database, PostgresDatabase):
            database.drop()


@pytest.fixture
def serve(new_database, blackbox_bin):
    servers = []

    def start(*options, database=None):
        server = Server(blackbox_bin, database or new_database(), *options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.stop()


def dump(database):
    """Every row of every table, sorted, without the columns that say where and when (and
    PostgreSQL's explicit rowid, which SQLite keeps hidden)."""
    lines = []
    for table in TABLES:
        names, rows = database.rows(f"SELECT * FROM {table}")
        for row in rows:
            kept = [v for n, v in zip(names, row) if n not in ("run_dir", "ingested", "rowid")]
            lines.append(f"{table}|{kept!r}")
    return sorted(lines)


def count(database, table):
    return database.count(table)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- pytest-monitor's protocol ---------------------------------------------------------------


def subset(actual, expected):
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and subset(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return isinstance(actual, list) and all(subset(a, e) for a, e in zip(actual, expected))
    return actual == expected


def test_pytest_monitors_client_session_is_answered_and_stored(serve):
    server = serve()
    steps = json.loads(RECORDED.read_text())["requests"]
    for step in steps:
        status, body = server.request(step["method"], step["path"], step.get("body"))
        assert status == step["status"], (step["path"], body)
        if status == 204:
            assert body is None
        if "response" in step:
            assert subset(body, step["response"]), (step["path"], body)
    _, rows = server.database.rows(
        "SELECT ITEM_VARIANT, TOTAL_TIME, MEM_USAGE, OUTCOME FROM TEST_METRICS ORDER BY TOTAL_TIME"
    )
    assert [r[0] for r in rows] == [
        "test_add",
        "test_param[1-2]",
        "test_param[<script>alert(1)</script>]",
    ]
    # Its description as pytest-monitor's documentation writes it ({"msg": …}) is read too.
    (session_h,) = [s["body"]["session_h"] for s in steps if s["path"] == "/sessions/"]
    status, page = server.request("GET", f"/runs/{session_h}")
    assert status == 200 and "<td>nightly" in page


def test_pytest_monitors_client_sessions_are_runs_everywhere(serve, blackbox_bin):
    """Two sessions of pytest-monitor's real client, replayed: each is a run on the dashboard,
    in /api/v1/runs, in a test's history, and (SQLite) in `compare` and `history`."""
    server = serve()
    steps = json.loads(CLIENT_SESSIONS.read_text())["requests"]
    for step in steps:
        status, body = server.request(step["method"], step["path"], step.get("body"))
        assert status == step["status"], (step["path"], body)
    sessions = [s["body"]["session_h"] for s in steps if s["path"] == "/sessions/"]
    context = next(s["body"]["h"] for s in steps if s["path"] == "/contexts/" and "body" in s)

    status, runs = server.request("GET", "/api/v1/runs")
    assert status == 200
    assert [r["session_h"] for r in runs["runs"]] == sessions[::-1]
    for run in runs["runs"]:
        assert run["status"] == "pytest-monitor"
        assert (run["collected"], run["passed"], run["failed"]) == (5, 5, 0)
        assert run["machine"] == "localhost"

    status, run = server.request("GET", f"/api/v1/runs/{sessions[0]}")
    assert status == 200 and run["env_h"] == context
    assert run["description"] == {"description": "nightly check", "team": "core"}
    assert sorted(t["nodeid"] for t in run["tests"]) == [
        "test_shapes.py::test_pairs[1-2]",
        "test_shapes.py::test_pairs[x-y-z]",
        "test_shapes.py::test_quick",
        "test_shapes.py::test_side",
        "test_shapes.py::test_sleeps",
    ]
    assert {t["outcome"] for t in run["tests"]} == {"passed"}
    sleeps = next(t for t in run["tests"] if t["nodeid"].endswith("test_sleeps"))
    assert sleeps["call_s"] >= 0.05

    status, page = server.request("GET", f"/runs/{sessions[0]}")
    assert status == 200
    assert "nightly check" in page and "team" in page and "localhost" in page
    status, page = server.request("GET", "/")
    assert status == 200 and all(h in page for h in sessions)

    status, history = server.request(
        "GET", "/api/v1/history?nodeid=test_shapes.py%3A%3Atest_pairs%5Bx-y-z%5D"
    )
    assert status == 200
    assert [h["session_h"] for h in history["history"]] == sessions
    assert {h["outcome"] for h in history["history"]} == {"passed"}

    # The same session sent again changes nothing.
    for step in steps[2:8]:
        server.request(step["method"], step["path"], step.get("body"))
    status, run = server.request("GET", f"/api/v1/runs/{sessions[0]}")
    assert run["collected"] == 5

    if isinstance(server.database, PostgresDatabase):
        return  # compare and history read SQLite files
    db = str(server.database.path)
    compared = subprocess.run(
        [str(blackbox_bin), "compare", "--db", db, "--min-sessions", "1"],
        capture_output=True,
        text=True,
    )
    assert compared.returncode == 0, compared.stdout + compared.stderr
    assert f"Run {sessions[1]}" in compared.stdout and "pytest-monitor" in compared.stdout
    assert "Compared 5 tests" in compared.stdout
    assert "Nothing to compare" not in compared.stdout
    history = subprocess.run(
        [str(blackbox_bin), "history", "--db", db, "test_sleeps"], capture_output=True, text=True
    )
    assert history.returncode == 0, history.stdout + history.stderr
    assert sessions[0] in history.stdout and sessions[1] in history.stdout


def test_the_monitor_routes_need_the_token_unless_explicitly_open(serve):
    steps = json.loads(RECORDED.read_text())["requests"]
    closed = serve("--token", "t0ken")
    assert closed.request("POST", "/contexts/", steps[1]["body"])[0] == 401
    assert closed.request("POST", "/contexts/", steps[1]["body"], token="t0ken")[0] == 201
    opened = serve("--token", "t0ken", "--allow-unauthenticated-monitor-routes")
    assert opened.request("POST", "/contexts/", steps[1]["body"])[0] == 201
    assert opened.request("POST", "/api/v1/runs", {})[0] == 401


# --- our ingest ---------------------------------------------------------------------------


def test_push_stores_the_run_as_ingest_does_and_again_adds_nothing(project, serve, tmp_path):
    project.write("test_suite.py", SUITE)
    assert project.run("-q", options=["--no-metrics"]).returncode == 139
    server = serve("--token", "t0ken")
    for _ in range(2):
        pushed = project.blackbox("push", "--server", server.url, "--token", "t0ken")
        assert pushed.returncode == 0, pushed.stderr
        assert "pushed" in pushed.stdout
    local = tmp_path / "local.db"
    assert project.blackbox("ingest", "--db", str(local)).returncode == 0
    assert dump(server.database) == dump(SqliteDatabase(local))
    assert count(server.database, "blackbox_crashes") == 1
    status, runs = server.request("GET", "/api/v1/runs")
    assert status == 200 and [r["status"] for r in runs["runs"]] == ["crashed"]
    status, history = server.request("GET", "/api/v1/history?nodeid=test_suite.py%3A%3Atest_segv")
    assert status == 200 and history["history"][0]["outcome"] == "crashed"
    status, page = server.request("GET", "/runs/" + runs["runs"][0]["session_h"])
    assert status == 200 and "test_suite.py::test_segv" in page


def test_the_run_page_shows_the_runs_own_report(project, serve):
    project.write("test_suite.py", SUITE)
    assert project.run("-q", options=["--no-metrics"]).returncode == 139
    server = serve()
    pushed = project.blackbox("push", "--server", server.url, "--no-report")
    assert pushed.returncode == 0, pushed.stderr
    session_h = server.request("GET", "/api/v1/runs")[1]["runs"][0]["session_h"]
    assert server.request("GET", f"/runs/{session_h}/report")[0] == 404
    assert "No report was pushed" in server.request("GET", f"/runs/{session_h}")[1]

    pushed = project.blackbox("push", "--server", server.url)
    assert pushed.returncode == 0, pushed.stderr
    assert "report stored" in pushed.stdout
    assert count(server.database, "blackbox_reports") == 1
    status, page = server.request("GET", f"/runs/{session_h}")
    assert status == 200 and f'href="/runs/{session_h}/report"' in page
    # The page report.html is, verdict and data: the same bytes but the data's time of making.
    status, page = server.request("GET", f"/runs/{session_h}/report")
    assert status == 200
    local = (project.latest / "report.html").read_text()
    verdict = local[local.index('<header id="verdict"') : local.index("</header>")]
    assert verdict in page and "test_suite.py::test_segv" in verdict and "SIGSEGV" in verdict
    status, data = server.request("GET", f"/api/v1/runs/{session_h}/report")
    assert status == 200 and data["format"] == 1 and data["run"]["status"] == "crashed"
    names = [
        data["prefixes"][p] + n for p, n in zip(data["tests"]["prefix"], data["tests"]["name"])
    ]
    assert names == [
        "test_suite.py::test_quick",
        "test_suite.py::test_fails",
        "test_suite.py::test_segv",
    ]
    assert data["run"]["sampled"] and len(data["samples"]["t"]) > 0
    # Again: replaced, not added.
    assert project.blackbox("push", "--server", server.url).returncode == 0
    assert count(server.database, "blackbox_reports") == 1


def test_push_without_the_token_is_refused(project, serve):
    project.write("test_suite.py", "def test_ok():\n    pass\n")
    assert project.run("-q", options=["--no-metrics"]).returncode == 0
    server = serve("--token", "t0ken")
    pushed = project.blackbox("push", "--server", server.url)
    assert pushed.returncode == 1
    assert "401" in pushed.stderr
    assert count(server.database, "blackbox_runs") == 0


def test_run_with_server_pushes_and_a_server_that_is_down_changes_nothing(project, serve):
    project.write("test_suite.py", "def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n")
    down = f"http://127.0.0.1:{free_port()}"
    result = project.run("-q", options=["--server", down])
    assert result.returncode == 1  # pytest's own: a failed test
    assert "warning: the run was not pushed" in result.stderr
    # The whole reason, the system's error included: not a word cut off.
    assert "Connection refused" in result.stderr
    assert project.blackbox("push", "--server", down).returncode == 1
    server = serve()
    result = project.run("-q", options=["--server", server.url])
    assert result.returncode == 1
    assert "pushed to" in result.stderr
    assert count(server.database, "blackbox_tests") == 2


# --- bad input ----------------------------------------------------------------------------


def valid_bodies():
    steps = json.loads(RECORDED.read_text())["requests"]
    return [(s["path"], s["body"]) for s in steps if s["method"] == "POST"]


def malformed(rng, path, body):
    """A request that must be refused: (method, path, raw body)."""
    kind = rng.randrange(7)
    text = json.dumps(body)
    if kind == 0:
        return "POST", path, text[: rng.randrange(len(text))]
    if kind == 1:
        return "POST", path, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    if kind == 2:
        broken = dict(body)
        key = rng.choice([k for k in broken if k != "description"])
        wrong = [[1], {"a": 1}, True] + (["x" * 5000] if isinstance(body[key], str) else [])
        broken[key] = rng.choice(wrong)
        return "POST", path, json.dumps(broken)
    if kind == 3:
        broken = dict(body)
        hashed = "h" if "h" in broken else "session_h"
        broken[hashed] = rng.choice(["x' OR '1'='1", "../../etc", "", "a" * 65, "h;DROP TABLE x"])
        return "POST", path, json.dumps(broken)
    if kind == 4:
        return "POST", "/api/v1/runs", json.dumps({"session_h": "abc", "tests": [{"x": 1}]})
    if kind == 5:
        if rng.random() < 0.5:  # a report that is not one: not gzip, or gzip of no report
            raw = gzip.compress(text.encode()) if rng.random() < 0.5 else text
            return "PUT", "/api/v1/runs/abc/report", raw
        return rng.choice(["PUT", "DELETE", "PATCH"]), path, text
    return "GET", rng.choice(["/x", "/contexts/%27%20OR%201=1", "/runs/../../etc", "/api/v2"]), ""


def test_a_fuzz_of_malformed_requests_is_refused_and_changes_nothing(project, serve):
    server = serve("--max-body", "1")
    for path, body in valid_bodies()[:2]:  # a context and a session to change, if anything did
        assert server.request("POST", path, body)[0] == 201
    before = dump(server.database)
    rng = random.Random(7)
    statuses = {}
    for i in range(2000):
        path, body = rng.choice(valid_bodies())
        method, target, raw = malformed(rng, path, body)
        status, answer = server.request(method, target, raw=raw)
        assert 400 <= status < 500, (i, method, target, raw[:200], answer)
        assert isinstance(answer, dict) and answer.get("error"), answer
        statuses[status] = statuses.get(status, 0) + 1
    # An oversized body is refused from its declared length, before a byte of it is read, and
    # requests are cut short on the wire.
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as raw_socket:
        raw_socket.sendall(
            b"POST /metrics/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n{"
        )
        assert raw_socket.recv(100).startswith(b"HTTP/1.1 413")
    for cut in range(20):
        with socket.create_connection(("127.0.0.1", server.port)) as raw_socket:
            raw_socket.sendall(
                b"POST /metrics/ HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n"
                + b'{"session_h": '[:cut]
            )
    assert server.alive()
    assert dump(server.database) == before
    assert count(server.database, "blackbox_reports") == 0
    assert set(statuses) <= {400, 404, 405, 422}


def test_text_with_a_nul_character_is_refused_by_either_backend(serve):
    server = serve()
    context = dict(valid_bodies()[0][1], machine_node="a\u0000b")
    status, answer = server.request("POST", "/contexts/", context)
    assert status == 422 and "NUL" in answer["error"]
    assert count(server.database, "EXECUTION_CONTEXTS") == 0


# --- load ---------------------------------------------------------------------------------


def upload(run_number, client, tests):
    """The two chunks of a synthetic run of `tests` tests, as `blackbox push` sends them."""
    session_h = hashlib.md5(f"{client}-{run_number}".encode()).hexdigest()
    env_h = hashlib.md5(f"machine-{client}".encode()).hexdigest()
    rows, metrics = [], []
    for t in range(tests):
        nodeid = f"tests/test_load.py::test_{t}"
        rows.append(
            {
                "nodeid": nodeid,
                "outcome": "passed",
                "attempt": 1,
                "start": "2026-11-22T08:55:55",
                "call_s": 0.001 * t,
                "total_s": 0.001 * t,
                "peak_rss_bytes": 1000 * t,
                "peak_exact": True,
                "monitored": True,
            }
        )
        metrics.append(
            {
                "item_start_time": "2026-11-22T08:55:55",
                "item_path": "tests.test_load",
                "item": f"test_{t}",
                "item_variant": f"test_{t}",
                "item_fs_loc": "tests/test_load.py",
                "kind": "function",
                "component": "",
                "total_time": 0.001 * t,
                "outcome": "passed",
                "nodeid": nodeid,
            }
        )
    keys = {"session_h": session_h, "env_h": env_h, "chunks": 2}
    head = dict(keys, chunk=1)
    head["context"] = {
        "env_h": env_h,
        "cpu_count": 4,
        "cpu_frequency_mhz": 0,
        "cpu_type": "x86_64",
        "cpu_vendor": "",
        "ram_total_mb": 1,
        "machine_node": f"m{client}",
        "machine_type": "x86_64",
        "machine_arch": "64bit",
        "system_info": "Linux",
        "python_info": "CPython",
    }
    head["session"] = {
        "run_date": f"2026-11-22T08:{client:02d}:{run_number:02d}",
        "scm_id": "",
        "run_description": "{}",
    }
    head["run"] = {
        "run_id": f"run-{client}-{run_number}",
        "run_dir": "/x",
        "duration_s": 1.0,
        "command": ["pytest"],
        "status": "passed",
        "exit_code": 0,
        "attempts": 1,
        "counts": {
            k: tests if k in ("collected", "passed") else 0
            for k in (
                "collected passed failed skipped xfailed xpassed errors crashed not_run".split()
            )
        },
        "context": {},
    }
    head["crashes"] = []
    return [dict(keys, chunk=0, tests=rows, metrics=metrics), head]


def test_concurrent_clients_store_every_row_once(serve):
    server = serve("--token", "t0ken")
    clients, runs, tests = 4, 20, 50
    failures = []

    def client(number):
        for run_number in range(runs):
            for chunk in upload(run_number, number, tests):
                status, answer = server.request("POST", "/api/v1/runs", chunk, token="t0ken")
                if status != 201:
                    failures.append((status, answer))
        # and one run again: no duplicates
        for chunk in upload(0, number, tests):
            server.request("POST", "/api/v1/runs", chunk, token="t0ken")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert count(server.database, "blackbox_runs") == clients * runs
    assert count(server.database, "blackbox_tests") == clients * runs * tests
    assert count(server.database, "TEST_METRICS") == clients * runs * tests
    assert count(server.database, "EXECUTION_CONTEXTS") == clients
    status, listed = server.request("GET", "/api/v1/runs?limit=5")
    assert status == 200 and len(listed["runs"]) == 5


# --- the PostgreSQL backend's own --------------------------------------------------------------


def test_a_postgresql_server_that_cannot_be_reached_is_one_line_without_the_password(
    blackbox_bin,
):
    url = f"postgresql://blackbox:s3cr3t-word@127.0.0.1:{free_port()}/metrics"
    result = subprocess.run(
        [str(blackbox_bin), "serve", "--listen", "127.0.0.1:0", "--db", url],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert "cannot open the PostgreSQL database postgresql://blackbox:***@127.0.0.1" in (
        result.stderr
    )
    assert "s3cr3t-word" not in result.stderr


def test_the_first_line_names_a_postgresql_database_without_its_password(
    postgres_url, blackbox_bin
):
    database = PostgresDatabase(postgres_url)
    try:
        with_password = database.argument.replace("://postgres@", "://postgres:pa55word@")
        database.argument = with_password + "?password=pa55word"
        server = Server(blackbox_bin, database)
        server.stop()
        assert "pa55word" not in server.first_line
        assert "postgresql://postgres:***@127.0.0.1:" in server.first_line
        assert "?password=***" in server.first_line
    finally:
        database.drop()


def test_a_postgresql_database_with_tables_of_another_program_is_refused(
    postgres_url, blackbox_bin
):
    database = PostgresDatabase(postgres_url)
    try:
        connection = psycopg2.connect(database.argument)
        with connection, connection.cursor() as cursor:
            cursor.execute("CREATE TABLE blackbox_runs (anything text)")
        connection.close()
        result = subprocess.run(
            [str(blackbox_bin), "serve", "--listen", "127.0.0.1:0", "--db", database.argument],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2
        assert "already has a table named blackbox_runs" in result.stderr
    finally:
        database.drop()
