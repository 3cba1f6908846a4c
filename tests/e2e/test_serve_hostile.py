"""`blackbox serve` and its client against hostile peers, for real over loopback: a gzip bomb
and chunked bodies of tens of MiB without the token (refused before a byte of the body is
read) and without a token required (cut at the limit as they arrive), slow clients that trickle
their heads while others must still be served, and servers that answer endlessly or never
finish their answer to `blackbox push` and `blackbox run --server`. Bounds are asserted (the
server's and the client's peak memory, that an answer comes at all), never times."""

import gzip
import http.client
import json
import socket
import threading
import time
import zlib

import pytest
from conftest import run_measured
from metrics_databases import SqliteDatabase
from test_serve import Server

MIB = 1 << 20


@pytest.fixture
def serve(tmp_path, blackbox_bin):
    servers = []

    def start(*options):
        database = SqliteDatabase(tmp_path / f"served{len(servers)}.db")
        server = Server(blackbox_bin, database, *options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.stop()


def peak_rss(pid):
    """The process's peak resident memory so far (VmHWM), in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def gzip_of_zeros(size):
    """A gzip stream of `size` zero bytes, made a MiB at a time (a bomb: about 1/1000 of it)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + 15)
    block = bytes(MIB)
    parts = [compressor.compress(block) for _ in range(size // MIB)]
    parts.append(compressor.flush())
    return b"".join(parts)


def healthz(port, timeout=10):
    """The status of GET /healthz on a new connection, or None when no answer came."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = connection.recv(100)
    except OSError:
        return None
    return int(answer.split()[1]) if answer.startswith(b"HTTP/1.1 ") else None


def exchange(port, head, body_parts, timeout=60):
    """Sends `head` then each of `body_parts` while reading the answer on the side; the status
    line's code (None when none came) and whether every part was sent."""
    answer = []

    def read():
        data = b""
        try:
            while b"\r\n" not in data:
                more = connection.recv(4096)
                if not more:
                    break
                data += more
        except OSError:
            pass
        answer.append(data)

    connection = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    reader = threading.Thread(target=read)
    reader.start()
    sent_all = True
    try:
        connection.sendall(head)
        for part in body_parts:
            if answer:
                sent_all = False
                break
            connection.sendall(part)
    except OSError:
        sent_all = False
    reader.join(timeout)
    connection.close()
    data = answer[0] if answer else b""
    code = int(data.split()[1]) if data.startswith(b"HTTP/1.1 ") else None
    return code, sent_all


def chunked(total, piece=MIB):
    """A chunked body of `total` bytes of JSON-looking text, in pieces, then its end."""
    block = b"[" * 0 + b"1," * (piece // 2)
    for _ in range(total // piece):
        yield f"{len(block):x}\r\n".encode() + block + b"\r\n"
    yield b"0\r\n\r\n"


# --- 10: a gzip bomb ---------------------------------------------------------------------------


BOMB = 64 * MIB  # decompressed; about 64 KiB on the wire


def test_a_gzip_bomb_without_the_token_is_refused_before_its_body(serve):
    server = serve("--token", "t0ken")
    bomb = gzip_of_zeros(BOMB)
    head = (
        f"POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(bomb)}\r\n\r\n"
    ).encode()
    code, _ = exchange(server.port, head, [bomb])
    assert code == 401
    assert healthz(server.port) == 200
    assert peak_rss(server.process.pid) < 48 * MIB


def test_a_gzip_bomb_is_cut_at_the_body_limit_as_it_decompresses(serve):
    server = serve("--max-body", "1")
    bomb = gzip_of_zeros(BOMB)
    head = (
        f"POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(bomb)}\r\n\r\n"
    ).encode()
    code, _ = exchange(server.port, head, [bomb[i : i + 4096] for i in range(0, len(bomb), 4096)])
    assert code == 413
    assert healthz(server.port) == 200
    assert peak_rss(server.process.pid) < 48 * MIB
    assert server.request("GET", "/api/v1/runs")[1] == {"runs": []}


# --- 11: chunked bodies ------------------------------------------------------------------------


def test_chunked_bodies_without_the_token_are_refused_before_their_body(serve):
    server = serve("--token", "t0ken")
    head = b"POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    code, sent_all = exchange(server.port, head, chunked(64 * MIB))
    assert code == 401 and not sent_all
    assert peak_rss(server.process.pid) < 48 * MIB


def test_chunked_bodies_past_the_limit_are_cut_two_at_once(serve):
    server = serve("--max-body", "4")
    head = b"POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    codes = []
    senders = [
        threading.Thread(
            target=lambda: codes.append(exchange(server.port, head, chunked(48 * MIB)))
        )
        for _ in range(2)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    # Each is read at most a limit past the refusal, then its connection closes: 413, or a
    # connection cut before the answer could be read.
    assert all(code in (413, None) for code, _ in codes), codes
    assert not any(sent_all for _, sent_all in codes)
    assert healthz(server.port) == 200
    assert peak_rss(server.process.pid) < 64 * MIB


def test_a_chunked_body_within_the_limit_is_stored(serve):
    server = serve()
    body = b'{"session_h": "abc", "env_h": "def", "chunk": 0, "chunks": 2, "tests": []}'
    head = (
        b"POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    parts = [
        f"{len(body[i:i + 10]):x}\r\n".encode() + body[i : i + 10] + b"\r\n"
        for i in range(0, len(body), 10)
    ]
    code, _ = exchange(server.port, head, parts + [b"0\r\n\r\n"])
    assert code == 201


def test_a_stored_report_is_sent_compressed_to_a_client_that_reads_gzip(project, serve):
    recorded_run(project)
    server = serve()
    assert project.blackbox("push", "--server", server.url).returncode == 0
    session_h = server.request("GET", "/api/v1/runs")[1]["runs"][0]["session_h"]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request(
        "GET", f"/api/v1/runs/{session_h}/report", headers={"Accept-Encoding": "gzip"}
    )
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
    assert json.loads(gzip.decompress(body))["format"] == 1
    status, data = server.request("GET", f"/api/v1/runs/{session_h}/report")
    assert status == 200 and data["format"] == 1


def test_bodies_read_at_once_are_bounded_together(serve):
    # A JSON array of a million zeros builds a tree of tens of MiB from its 2 MiB: eight at once
    # are read one body limit's worth at a time (the others wait, or get 503).
    server = serve("--max-body", "2")
    body = b'{"session_h":"s","env_h":"e","chunk":0,"chunks":2,"tests":[' + b"0," * (MIB - 40)
    body += b"0]}"
    statuses = []

    def post():
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        connection.request("POST", "/api/v1/runs", body=body)
        statuses.append(connection.getresponse().status)
        connection.close()

    posters = [threading.Thread(target=post) for _ in range(8)]
    for poster in posters:
        poster.start()
    for poster in posters:
        poster.join()
    assert sorted(set(statuses)) in ([422], [422, 503]), statuses
    assert healthz(server.port) == 200
    assert peak_rss(server.process.pid) < 192 * MIB


# --- 12: slow clients --------------------------------------------------------------------------


def test_slow_clients_do_not_keep_others_waiting_and_are_cut_at_their_deadline(serve):
    # Fewer threads than slow clients: a thread per connection would leave none for /healthz.
    server = serve("--threads", "2", "--header-timeout", "2")
    slow = []
    for _ in range(8):
        connection = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        slow.append(connection)
    answered = []
    stop = threading.Event()

    def trickle():
        while not stop.is_set():
            for connection in slow:
                try:
                    connection.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    pass
            stop.wait(0.5)

    trickler = threading.Thread(target=trickle)
    trickler.start()
    try:
        for _ in range(3):
            answered.append(healthz(server.port, timeout=10))
            time.sleep(0.3)
        # Past their head's deadline the slow ones are cut, though they never went quiet.
        cut = 0
        for connection in slow:
            try:
                cut += connection.recv(100) == b""
            except OSError:
                cut += 1
    finally:
        stop.set()
        trickler.join()
        for connection in slow:
            connection.close()
    assert answered == [200, 200, 200]
    assert cut == len(slow)
    assert server.alive()


# --- 13: the client ----------------------------------------------------------------------------


class HostileServer:
    """A loopback server that reads a request's head and then misbehaves: `behaviour` is
    "endless body" (an answer whose body never ends) or "endless head" (a header line every
    0.2 s, forever)."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.listener.settimeout(0.2)
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self.answer, args=(connection,), daemon=True).start()

    def answer(self, connection):
        try:
            connection.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                more = connection.recv(65536)
                if not more:
                    return
                data += more
            if self.behaviour == "endless body":
                connection.sendall(
                    b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\r\n"
                )
                block = b"0" * 65536
                while not self.stopping.is_set():
                    connection.sendall(block)
            else:
                connection.sendall(b"HTTP/1.1 201 Created\r\n")
                while not self.stopping.is_set():
                    connection.sendall(b"X-Slow: 1\r\n")
                    time.sleep(0.2)
        except OSError:
            pass
        finally:
            connection.close()

    def stop(self):
        self.stopping.set()
        self.listener.close()


@pytest.fixture
def hostile():
    servers = []

    def start(behaviour):
        servers.append(HostileServer(behaviour))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def recorded_run(project):
    project.write("test_suite.py", "def test_ok():\n    pass\n")
    assert project.run("-q", options=["--no-metrics"]).returncode == 0


def test_push_refuses_an_endless_answer_with_its_memory_bounded(project, hostile, serve):
    recorded_run(project)
    # The same push to a real server: what the client takes when the answers are small.
    good = run_measured(
        [project.blackbox_bin, "push", "--server", serve().url], project.root, project.env()
    )
    assert good.returncode == 0, good.stderr
    server = hostile("endless body")
    endless = run_measured(
        [project.blackbox_bin, "push", "--server", server.url], project.root, project.env()
    )
    assert endless.returncode == 1, endless.stderr
    assert "larger than" in endless.stderr
    # What it kept of the answer: at most its 1 MiB bound and libcurl's buffers, where keeping
    # the endless body took all the memory there was.
    assert endless.peak < good.peak + 16 * MIB, (good.peak, endless.peak)


def test_push_gives_up_on_a_server_that_never_finishes_its_answer(project, hostile):
    recorded_run(project)
    server = hostile("endless head")
    push = run_measured(
        [project.blackbox_bin, "push", "--server", server.url, "--timeout", "2"],
        project.root,
        project.env(),
    )
    assert push.returncode == 1, push.stderr
    assert "failed" in push.stderr and "time limit" in push.stderr


def test_run_with_a_server_that_never_answers_ends_with_the_runs_own_status(project, hostile):
    project.write("test_suite.py", "def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n")
    server = hostile("endless head")
    argv = [str(project.blackbox_bin), "run", "--server", server.url, "--server-timeout", "2"]
    argv += ["--"] + project.pytest_command("-q")
    run = run_measured(argv, project.root, project.env())
    assert run.returncode == 1, run.stderr  # pytest's own: a failed test
    assert "warning: the run was not pushed" in run.stderr
