"""`blackbox serve` under the attacks of issue 15, at full size, while /healthz is asked every
0.1 s on new connections: a gzip bomb (6.25 GiB of zeros in about 6 MB) and two chunked bodies
of 1.5 GB at once, each sent without the token to a server that requires one and to one that
does not, then 40 slow clients that each send a header line every 3 s for 40 s (reconnecting
when cut). With the server's default limits.

    /usr/bin/python3 bench/serve_attacks.py [--blackbox build/bin/blackbox] [--bomb-gib 6.25]
                                            [--chunked-gb 1.5] [--slow 40] [--seconds 40]
                                            [--out FILE]

Prints, per attack, what the attacker was answered, and over all of them the server's peak
resident memory (VmHWM) and /healthz latency (max, p99, and requests that got no answer within
5 s). Targets: peak RSS < 200 MiB, /healthz < 1 s. Not part of CI.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MIB = 1 << 20


def start(blackbox, database, *options):
    process = subprocess.Popen(
        [str(blackbox), "serve", "--listen", "127.0.0.1:0", "--db", str(database), *options],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    port = int(line.split("127.0.0.1:")[1].split("/")[0])
    return process, port


def vm(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


class HealthProbe:
    """GET /healthz every 0.1 s on a new connection; the latencies, None for no answer in 5 s."""

    def __init__(self, port):
        self.port = port
        self.latencies = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def once(self):
        began = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as connection:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if not connection.recv(100).startswith(b"HTTP/1.1 200"):
                    return None
        except OSError:
            return None
        return time.perf_counter() - began

    def run(self):
        while not self.stopping.is_set():
            self.latencies.append(self.once())
            self.stopping.wait(0.1)

    def stop(self):
        self.stopping.set()
        self.thread.join()
        answered = sorted(x for x in self.latencies if x is not None)
        return {
            "asked": len(self.latencies),
            "unanswered": sum(x is None for x in self.latencies),
            "max_s": round(answered[-1], 4) if answered else None,
            "p99_s": round(answered[int(len(answered) * 0.99) - 1], 4) if answered else None,
            "median_s": round(statistics.median(answered), 4) if answered else None,
        }


def bomb_file(gib):
    """A gzip stream of `gib` GiB of zeros, made once and kept in the temporary directory."""
    path = Path(tempfile.gettempdir()) / f"blackbox-bomb-{gib}.gz"
    if not path.exists():
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + 15)
        block = bytes(MIB)
        with open(str(path) + ".part", "wb") as out:
            for _ in range(int(gib * 1024)):
                out.write(compressor.compress(block))
            out.write(compressor.flush())
        os.replace(str(path) + ".part", path)
    return path.read_bytes()


def send(port, head, parts):
    """Sends `head` and the body's parts while reading the answer on the side: the answer's
    status line (or what happened), the body bytes sent."""
    answer = []
    sent = 0
    connection = socket.create_connection(("127.0.0.1", port), timeout=120)

    def read():
        try:
            data = connection.recv(200)
            answer.append(data.split(b"\r\n")[0].decode() if data else "closed without answer")
        except OSError as error:
            answer.append(f"cut: {error.strerror}")

    reader = threading.Thread(target=read)
    reader.start()
    try:
        connection.sendall(head)
        for part in parts:
            if answer:
                break
            connection.sendall(part)
            sent += len(part)
    except OSError:
        pass
    reader.join(120)
    connection.close()
    return {"answer": answer[0] if answer else "none", "body_bytes_sent": sent}


def bomb_attack(port, bomb):
    head = (
        f"POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(bomb)}\r\n\r\n"
    ).encode()
    parts = (bomb[i : i + 65536] for i in range(0, len(bomb), 65536))
    return send(port, head, parts)


def chunked_attack(port, total):
    head = b"POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    block = b"1," * (MIB // 2)
    chunk = f"{len(block):x}\r\n".encode() + block + b"\r\n"

    def parts():
        for _ in range(total // len(block)):
            yield chunk
        yield b"0\r\n\r\n"

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(send(port, head, parts()))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def slow_attack(port, clients, seconds, interval=3.0):
    """`clients` connections sending a header line every `interval` s for `seconds`; a cut one
    is opened again. Returns how many times the server cut one."""
    cut = 0
    connections = [None] * clients
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for i in range(clients):
            try:
                if connections[i] is None:
                    connections[i] = socket.create_connection(("127.0.0.1", port), timeout=5)
                    connections[i].sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                connections[i].sendall(b"X-Slow: 1\r\n")
            except OSError:
                cut += 1
                if connections[i] is not None:
                    connections[i].close()
                connections[i] = None
        time.sleep(interval)
    for connection in connections:
        if connection is not None:
            connection.close()
    return {"clients": clients, "seconds": seconds, "times_cut": cut}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blackbox", type=Path, default=REPO / "build" / "bin" / "blackbox")
    parser.add_argument("--bomb-gib", type=float, default=6.25)
    parser.add_argument("--chunked-gb", type=float, default=1.5)
    parser.add_argument("--slow", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    bomb = bomb_file(args.bomb_gib)
    print(f"bomb: {len(bomb)} bytes of gzip for {args.bomb_gib} GiB", flush=True)
    results = {"bomb_bytes": len(bomb), "servers": []}
    with tempfile.TemporaryDirectory() as scratch:
        for name, options in (("token", ["--token", "t0ken"]), ("no token", [])):
            process, port = start(args.blackbox, Path(scratch) / f"{len(name)}.db", *options)
            probe = HealthProbe(port)
            attacks = {
                "gzip bomb": bomb_attack(port, bomb),
                "two chunked bodies": chunked_attack(port, int(args.chunked_gb * 1e9)),
                "slow clients": slow_attack(port, args.slow, args.seconds),
            }
            health = probe.stop()
            result = {
                "server": name,
                "attacks": attacks,
                "healthz": health,
                "peak_rss_mib": round(vm(process.pid, "VmHWM") / MIB, 1),
                "rss_after_mib": round(vm(process.pid, "VmRSS") / MIB, 1),
            }
            process.terminate()
            process.wait(timeout=30)
            results["servers"].append(result)
            print(json.dumps(result), flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    ok = all(
        r["peak_rss_mib"] < 200 and r["healthz"]["unanswered"] == 0 and r["healthz"]["max_s"] < 1
        for r in results["servers"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
