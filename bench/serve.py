"""Throughput of `blackbox serve`: concurrent clients storing runs through pytest-monitor's
one-request-per-test route and through our batched ingest, on either backend.

    /usr/bin/python3 bench/serve.py [--clients 16] [--runs 1000] [--tests 200]
                                    [--route monitor|batched|both] [--blackbox build/bin/blackbox]
                                    [--db sqlite|postgresql|both] [--postgres-url URL]
                                    [--repeats 1]

Each client sends its runs one after another on a keep-alive connection: through `monitor`, a
run is POST /contexts/, POST /sessions/ and one POST /metrics/ per test (what pytest-monitor's
client does); through `batched`, a run is the chunks `blackbox push` sends. Reports (and writes
as JSON with --out): rows per second, p50/p99 latency per request, the server's peak RSS
(VmHWM), and that every row is there exactly once; with --repeats, each figure is the median of
the repeats (each on a new database), and the machine's load average is noted before and after.
Targets (issue 7): 2,000 rows/s through the monitor route, 50,000 through the batched one, p99
under 100 ms, RSS under 100 MiB. The server writes into a new SQLite file, or a new database on
the PostgreSQL server of --postgres-url (default $BLACKBOX_TEST_POSTGRES_URL, else the one
scripts/postgres-test-server starts; needs python3-psycopg2). Not part of CI.
"""

import argparse
import hashlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
from metrics_databases import PostgresDatabase, SqliteDatabase  # noqa: E402


def start(blackbox, database):
    process = subprocess.Popen(
        [str(blackbox), "serve", "--listen", "127.0.0.1:0", "--db", database],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    port = int(line.split("127.0.0.1:")[1].split("/")[0])
    return process, port


class Client:
    """One keep-alive connection; reconnects when the server closes it."""

    def __init__(self, port):
        self.port = port
        self.connection = None
        self.latencies = []

    def post(self, path, data):
        """`data` is bytes: http.client sends headers and body in one segment only for bytes."""
        for attempt in range(3):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            began = time.perf_counter()
            try:
                self.connection.request(
                    "POST", path, body=data, headers={"Content-Type": "application/json"}
                )
                response = self.connection.getresponse()
                response.read()
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = None
                continue
            self.latencies.append(time.perf_counter() - began)
            if response.status != 201:
                raise RuntimeError(f"{path}: {response.status}")
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
            return
        raise RuntimeError(f"{path}: no answer")


def hashes(client, run):
    return (
        hashlib.md5(f"s-{client}-{run}".encode()).hexdigest(),
        hashlib.md5(f"machine-{client}".encode()).hexdigest(),
    )


def monitor_requests(client, run, tests):
    session_h, env_h = hashes(client, run)
    yield (
        "/contexts/",
        {
            "cpu_count": 4,
            "cpu_frequency": 2900.0,
            "cpu_type": "x86_64",
            "cpu_vendor": "bench",
            "ram_total": 16000,
            "machine_node": f"m{client}",
            "machine_type": "x86_64",
            "machine_arch": "64bit",
            "system_info": "Linux",
            "python_info": "CPython",
            "h": env_h,
        },
    )
    yield (
        "/sessions/",
        {
            "session_h": session_h,
            "run_date": "2026-11-22T08:55:54",
            "scm_ref": "",
            "description": {},
        },
    )
    for t in range(tests):
        yield (
            "/metrics/",
            {
                "session_h": session_h,
                "context_h": env_h,
                "item_start_time": "2026-11-22T08:55:55",
                "item_path": "tests.test_bench",
                "item": f"test_{t}",
                "item_variant": f"test_{t}",
                "item_fs_loc": "tests/test_bench.py",
                "kind": "function",
                "component": "",
                "total_time": 0.01,
                "user_time": 0.01,
                "kernel_time": 0.0,
                "cpu_usage": 1.0,
                "mem_usage": 20.0,
            },
        )


def batched_requests(client, run, tests):
    session_h, env_h = hashes(client, run)
    rows, metrics = [], []
    for t in range(tests):
        nodeid = f"tests/test_bench.py::test_{t}"
        rows.append(
            {
                "nodeid": nodeid,
                "outcome": "passed",
                "attempt": 1,
                "start": "2026-11-22T08:55:55",
                "call_s": 0.01,
                "total_s": 0.01,
                "peak_rss_bytes": 20 << 20,
                "peak_exact": True,
                "monitored": True,
            }
        )
        metrics.append(
            {
                "item_start_time": "2026-11-22T08:55:55",
                "item_path": "tests.test_bench",
                "item": f"test_{t}",
                "item_variant": f"test_{t}",
                "item_fs_loc": "tests/test_bench.py",
                "kind": "function",
                "component": "",
                "total_time": 0.01,
                "outcome": "passed",
                "nodeid": nodeid,
            }
        )
    keys = {"session_h": session_h, "env_h": env_h, "chunks": 2}
    yield "/api/v1/runs", dict(keys, chunk=0, tests=rows, metrics=metrics)
    counts = "collected passed failed skipped xfailed xpassed errors crashed not_run".split()
    head = dict(
        keys,
        chunk=1,
        context={
            "env_h": env_h,
            "cpu_count": 4,
            "cpu_frequency_mhz": 2900,
            "cpu_type": "x86_64",
            "cpu_vendor": "bench",
            "ram_total_mb": 16000,
            "machine_node": f"m{client}",
            "machine_type": "x86_64",
            "machine_arch": "64bit",
            "system_info": "Linux",
            "python_info": "CPython",
        },
        session={
            "run_date": "2026-11-22T08:55:00",
            "scm_id": "",
            "run_description": "{}",
        },
        run={
            "run_id": f"run-{session_h}",
            "run_dir": "/bench",
            "duration_s": 1.0,
            "command": ["pytest"],
            "status": "passed",
            "exit_code": 0,
            "attempts": 1,
            "counts": {k: tests if k in ("collected", "passed") else 0 for k in counts},
            "context": {},
        },
        crashes=[],
    )
    yield "/api/v1/runs", head


class Requests:
    """A client's requests, encoded once: a run's differ from the first run's only by its
    session hash, replaced in the encoded bodies. The load generator shares the server's cores;
    encoding JSON for every request took a sixth of them."""

    def __init__(self, make, client, tests):
        self.first = hashes(client, 0)[0].encode()
        self.client = client
        self.bodies = [(path, json.dumps(body).encode()) for path, body in make(client, 0, tests)]

    def of_run(self, run):
        session_h = hashes(self.client, run)[0].encode()
        return [(path, body.replace(self.first, session_h)) for path, body in self.bodies]


def cpu_seconds(pid):
    """User + system CPU time of process `pid` so far (/proc/PID/stat, clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def postgres_url():
    url = os.environ.get("BLACKBOX_TEST_POSTGRES_URL")
    if url:
        return url
    started = subprocess.run(
        [str(REPO / "scripts" / "postgres-test-server")], capture_output=True, text=True
    )
    if started.returncode != 0:
        raise SystemExit(f"no PostgreSQL server: {started.stderr.strip()}")
    return started.stdout.split()[-1]


def measure(route, backend, args):
    scratch = tempfile.TemporaryDirectory()
    if backend == "postgresql":
        database = PostgresDatabase(args.postgres_url, prefix="blackbox_bench")
    else:
        database = SqliteDatabase(Path(scratch.name) / "bench.db")
    try:
        process, port = start(args.blackbox, database.argument)
        try:
            clients = [Client(port) for _ in range(args.clients)]
            make = monitor_requests if route == "monitor" else batched_requests
            requests = [Requests(make, n, args.tests) for n in range(args.clients)]
            errors = []

            def work(number):
                try:
                    for run in range(args.runs):
                        for path, body in requests[number].of_run(run):
                            clients[number].post(path, body)
                except Exception as error:  # noqa: BLE001 - reported below
                    errors.append(repr(error))

            threads = [threading.Thread(target=work, args=(n,)) for n in range(args.clients)]
            server_cpu = cpu_seconds(process.pid)
            client_cpu = sum(os.times()[:2])
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            server_cpu = cpu_seconds(process.pid) - server_cpu
            client_cpu = sum(os.times()[:2]) - client_cpu
            rss = peak_rss_kib(process.pid)
        finally:
            process.terminate()
            process.wait()
        stored = database.count("TEST_METRICS")
    finally:
        database.drop()
        scratch.cleanup()
    rows = args.clients * args.runs * args.tests
    latencies = sorted(x for c in clients for x in c.latencies)
    return {
        "route": route,
        "backend": backend,
        "clients": args.clients,
        "runs": args.runs,
        "tests": args.tests,
        "rows": rows,
        "rows_stored": stored,
        "errors": errors[:5],
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed),
        "requests": len(latencies),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "server_peak_rss_mib": round(rss / 1024, 1),
        # The server's own cost, whatever else the machine runs: what one of its cores would
        # sustain. The clients' CPU shows how much of the machine the load generator took.
        "server_cpu_s": round(server_cpu, 2),
        "server_cpu_us_per_row": round(server_cpu / rows * 1e6, 1),
        "rows_per_server_core_s": round(rows / server_cpu) if server_cpu else None,
        "client_cpu_s": round(client_cpu, 2),
    }


def median_of(repeats):
    """One result whose figures are the repeats' medians (and each repeat's, for the spread)."""
    result = dict(repeats[0])
    for key in (
        "seconds",
        "rows_per_s",
        "p50_ms",
        "p99_ms",
        "server_peak_rss_mib",
        "server_cpu_us_per_row",
        "rows_per_server_core_s",
        "client_cpu_s",
    ):
        result[key] = statistics.median(r[key] for r in repeats)
        result[key + "_each"] = [r[key] for r in repeats]
    result["repeats"] = len(repeats)
    result["rows_stored"] = min(r["rows_stored"] for r in repeats)
    result["errors"] = [e for r in repeats for e in r["errors"]][:5]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--route", choices=("monitor", "batched", "both"), default="both")
    parser.add_argument("--blackbox", type=Path, default=REPO / "build" / "bin" / "blackbox")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--postgres-url", help="a PostgreSQL server to make databases on")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    routes = ("monitor", "batched") if args.route == "both" else (args.route,)
    backends = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    if "postgresql" in backends and not args.postgres_url:
        args.postgres_url = postgres_url()
    load_before = os.getloadavg()
    results = []
    for backend in backends:
        for route in routes:
            repeats = [measure(route, backend, args) for _ in range(args.repeats)]
            result = median_of(repeats)
            results.append(result)
            print(json.dumps(result), flush=True)
    load = {"load_before": load_before, "load_after": os.getloadavg(), "cpus": os.cpu_count()}
    print(json.dumps(load))
    if args.out:
        args.out.write_text(json.dumps({"results": results, **load}, indent=2) + "\n")
    return 0 if all(r["rows_stored"] == r["rows"] and not r["errors"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
