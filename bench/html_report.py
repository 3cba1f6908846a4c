"""The HTML report of a large run: generation time, file size, and time until the page is drawn.

    /usr/bin/python3 bench/html_report.py [--tests 50000] [--seconds 3600] [--interval 0.05]
                                          [--workers 2] [--repeats 5] [--run-dir RUN]
                                          [--blackbox build/bin/blackbox] [--out FILE]

Without --run-dir, writes a synthetic run directory in the documented formats
(docs/formats/run-directory.md, journal.md, samples.md): N tests spread over the xdist workers
for the whole duration, a sample trail at the interval (one hour at 0.05 s: 72,000 samples), a
few failures and one worker's segfault near the end. Reports (and writes as JSON with --out):
- `generate_s`: `blackbox report RUN --html FILE`, the median of the repeats (target < 1 s);
- `size_bytes`: the file's size (target < 10 MB);
- `ready_s`: headless Chromium (Debian's chromium and chromium-driver, through Selenium) from
  the navigation's start to the page's data-ready, the median of the repeats, each in a new
  tab (target < 2 s); `dom_content_loaded_s` for comparison.
Not part of CI.
"""

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overhead import REPO, clean_env  # noqa: E402

BASE_NS = 5_000_000_000_000  # CLOCK_MONOTONIC of the run's start, in nanoseconds
BASE_WALL = 1_796_390_000.0
MIB = 1 << 20


def ns(seconds: float) -> int:
    return BASE_NS + int(seconds * 1e9)


def line(record: dict) -> str:
    return json.dumps(record, separators=(",", ":")) + "\n"


def start_record(at: float, pid: int, worker, args) -> dict:
    return {
        "ev": "start",
        "ns": ns(at),
        "v": 1,
        "wall": BASE_WALL + at,
        "pid": pid,
        "ppid": 1000 if worker else 999,
        "worker": worker,
        "attempt": 1,
        "argv": ["-c"] if worker else ["pytest", *args],
        "args": args,
        "cwd": "/home/u/project",
        "rootdir": "/home/u/project",
        "python": {
            "version": "3.11.2",
            "implementation": "CPython",
            "executable": "/usr/bin/python3",
            "build": "main",
        },
        "pytest": "7.2.1",
        "xdist": "3.1.0",
        "hwm_reset": True,
        "hwm_source": "rusage",
        "dump_signal": 12,
    }


def session_start(at: float, controller: bool) -> dict:
    return {
        "ev": "session_start",
        "ns": ns(at),
        "controller": controller,
        "capture": {} if controller else {"stdout": 8, "stderr": 10},
        "monitor": {
            "enabled": True,
            "scopes": ["function"],
            "explicit_params": False,
            "component_prefix": None,
            "force_component": None,
            "description": None,
            "tags": {},
        },
    }


def write_run(run: Path, tests: int, seconds: float, interval: float, workers: int) -> None:
    """A synthetic run directory: the journals of an xdist run and its sample trail."""
    rnd = random.Random(6)
    for folder in ("journal", "collected", "faulthandler"):
        (run / folder).mkdir(parents=True)
    args = ["-n", str(workers), "tests"]
    items = []
    for i in range(tests):
        module = f"tests/pkg{i // 5000}/test_module_{i // 250}.py"
        cls = f"TestGroup{(i // 50) % 5}" if i % 3 else None
        name = f"test_case_{i % 50}[param-{i}-{rnd.randint(0, 9999)}]"
        nodeid = f"{module}::{cls}::{name}" if cls else f"{module}::{name}"
        items.append((nodeid, module, cls, name))
    collected = "".join(
        line(
            {
                "nodeid": nodeid,
                "file": module,
                "line": 10 + i % 50,
                "module": module[:-3].replace("/", "."),
                "cls": cls,
                "component": "",
                "func": name.split("[")[0],
                "params": {"p": repr(i)},
                "markers": ["parametrize"],
                "type": "function",
                "variant": name,
            }
        )
        for i, (nodeid, module, cls, name) in enumerate(items)
    )
    main_pid = 1000
    (run / "journal" / f"1-main-{main_pid}.jsonl").write_text(
        line(start_record(0.0, main_pid, None, args))
        + line(session_start(0.05, True))
        + "".join(
            line({"ev": "worker_down", "ns": ns(seconds - 0.1), "worker": f"gw{w}", "error": None})
            for w in range(workers - 1)
        )
        + line(
            {
                "ev": "worker_down",
                "ns": ns(seconds - 0.4),
                "worker": f"gw{workers - 1}",
                "error": "crashed",
                "code": None,
                "signal": 11,
            }
        )
        + line(
            {
                "ev": "worker_crash",
                "ns": ns(seconds - 0.39),
                "worker": f"gw{workers - 1}",
                "nodeid": items[tests - 1][0],
            }
        )
        + line({"ev": "session_end", "ns": ns(seconds), "exitstatus": 1})
        + line({"ev": "exit", "ns": ns(seconds + 0.01)})
    )
    (run / "collected" / f"1-main-{main_pid}.jsonl").write_text("")
    (run / "faulthandler" / f"1-main-{main_pid}.txt").write_text("")

    per_test = (seconds - 1.5) * workers / tests / 0.81  # a test takes 0.81 per_test on average
    for w in range(workers):
        pid = 1001 + w
        stem = f"1-gw{w}-{pid}"
        mine = list(range(w, tests, workers))
        out = [line(start_record(0.1, pid, f"gw{w}", args)), line(session_start(0.15, False))]
        out.append(
            line({"ev": "collection", "ns": ns(0.9), "count": tests, "deselected": 0, "errors": 0})
        )
        clock = 1.0
        rss = 40 * MIB
        for k, i in enumerate(mine):
            nodeid = items[i][0]
            setup, call, teardown = (per_test * f * rnd.uniform(0.6, 1.0) for f in (0.1, 0.8, 0.05))
            out.append(line({"ev": "test", "ns": ns(clock), "nodeid": nodeid}))
            clock += setup
            out.append(
                line(
                    {
                        "ev": "end",
                        "ns": ns(clock),
                        "phase": "setup",
                        "outcome": "passed",
                        "dur": setup,
                    }
                )
            )
            last = i == tests - 1 and w == workers - 1
            if last:  # this worker segfaults in the call of its last test
                break
            clock += call
            end = {"ev": "end", "ns": ns(clock), "phase": "call", "outcome": "passed", "dur": call}
            if rnd.random() < 0.002:
                end["outcome"] = "failed"
                end[
                    "longrepr"
                ] = f"def test():\n>       assert {i} == {i + 1}\nE       AssertionError"
            out.append(line(end))
            clock += teardown
            grown = rnd.choice([0, 0, 0, 4096, 8192, 65536])
            out.append(
                line(
                    {
                        "ev": "end",
                        "ns": ns(clock),
                        "phase": "teardown",
                        "outcome": "passed",
                        "dur": teardown,
                        "peak_rss": rss + rnd.randint(0, 20 * MIB),
                        "rss_before": rss,
                        "rss_after": rss + grown,
                        "cpu_user": call * 0.9,
                        "cpu_sys": call * 0.05,
                    }
                )
            )
            rss += grown
            clock += per_test * 0.05
        if w == workers - 1:
            (run / "faulthandler" / f"{stem}.txt").write_text(
                "Fatal Python error: Segmentation fault\n\nCurrent thread 0x00007f0000000000 "
                '(most recent call first):\n  File "/home/u/project/'
                f"{items[tests - 1][1]}\", line 12 in {items[tests - 1][3].split('[')[0]}\n"
            )
        else:
            (run / "faulthandler" / f"{stem}.txt").write_text("")
            out.append(line({"ev": "session_end", "ns": ns(seconds - 0.2), "exitstatus": 1}))
            out.append(line({"ev": "exit", "ns": ns(seconds - 0.15)}))
        (run / "journal" / f"{stem}.jsonl").write_text("".join(out))
        (run / "collected" / f"{stem}.jsonl").write_text(collected)

    with open(run / "samples.jsonl", "w") as trail:
        trail.write(
            line(
                {
                    "ev": "sampler",
                    "ns": ns(0.0),
                    "v": 1,
                    "interval_s": interval,
                    "top_interval_s": 2.0,
                    "page_size": 4096,
                    "root": main_pid,
                    "tree": "children",
                    "cgroup": None,
                    "hidden": [],
                }
            )
        )
        count = int(seconds / interval)
        worker_rss = [40 * MIB] * workers
        for k in range(1, count + 1):
            t = k * interval
            for w in range(workers):  # a slow climb, released now and then, and some spikes
                worker_rss[w] += rnd.randint(-8192, 12288)
                if rnd.random() < 0.0005:
                    worker_rss[w] = 40 * MIB
            spike = 150 * MIB if k % 9000 < 40 else 0
            procs = [[main_pid, 30 * MIB, 999]] + [
                [1001 + w, worker_rss[w] + (spike if w == 0 else 0), main_pid]
                for w in range(workers)
            ]
            total = sum(p[1] for p in procs)
            trail.write(
                line(
                    {
                        "ev": "sample",
                        "ns": ns(t),
                        "rss": total,
                        "procs": procs,
                        "swap": 0,
                        "mem": {
                            "total": 16 << 30,
                            "free": (8 << 30) - total,
                            "available": (12 << 30) - total,
                            "cached": 2 << 30,
                            "swap_total": 0,
                            "swap_free": 0,
                        },
                        "psi": {"some10": 0, "full10": 0, "some_us": k, "full_us": 0},
                    }
                )
            )
        trail.write(
            line(
                {
                    "ev": "note",
                    "ns": ns(seconds),
                    "what": "stopped",
                    "text": f"{count} samples in {seconds:.1f} s",
                }
            )
        )

    started = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(BASE_WALL))
    ended = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(BASE_WALL + seconds))
    (run / "run.json").write_text(
        json.dumps(
            {
                "format": 1,
                "id": run.name,
                "started": started,
                "started_ns": BASE_NS,
                "command": ["python3", "-m", "pytest", *args],
                "cwd": "/home/u/project",
                "recorder": "supervisor",
                "context": {},
            }
        )
    )
    (run / "end.json").write_text(
        json.dumps(
            {
                "ended": ended,
                "ended_ns": ns(seconds + 0.05),
                "wait": {"code": 1, "signal": None, "core_dumped": False},
                "forwarded_signal": None,
                "exit_code": 1,
            }
        )
    )
    (run / "supervisor.jsonl").write_text("")


def time_generation(blackbox: str, run: Path, html: Path, repeats: int) -> list:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(
            [blackbox, "report", str(run), "--html", str(html)],
            env=clean_env(),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    return times


def time_page(html: Path, repeats: int):
    """Per repeat, in a new tab: (navigation start → data-ready, → DOMContentLoaded) in s."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1366,768",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    ready, loaded = [], []
    try:
        for _ in range(repeats):
            driver.switch_to.new_window("tab")
            driver.get(html.as_uri())
            state = None
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not state:
                state = driver.execute_script("return document.body && document.body.dataset.ready")
                time.sleep(0.02)
            if state != "1":
                raise SystemExit(f"the page did not get ready: {state}")
            ready_ms, loaded_ms = driver.execute_script(
                "return [performance.getEntriesByName('blackbox-ready')[0].startTime,"
                " performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd]"
            )
            ready.append(ready_ms / 1000)
            loaded.append(loaded_ms / 1000)
    finally:
        driver.quit()
    return ready, loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=50000)
    parser.add_argument("--seconds", type=float, default=3600.0, help="the run's duration")
    parser.add_argument("--interval", type=float, default=0.05, help="the sampling interval")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--run-dir", help="an existing run to report on (else one is written)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--blackbox", default=str(REPO / "build" / "bin" / "blackbox"))
    parser.add_argument("--keep", help="copy the generated report.html here")
    parser.add_argument("--out", help="write the figures as JSON here")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="blackbox-html-") as scratch:
        scratch = Path(scratch)
        if options.run_dir:
            run = Path(options.run_dir).resolve()
        else:
            run = scratch / "20261204T140000Z-bench1"
            started = time.perf_counter()
            write_run(run, options.tests, options.seconds, options.interval, options.workers)
            print(f"wrote {run.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        html = scratch / "report.html"
        generate = time_generation(options.blackbox, run, html, options.repeats)
        size = html.stat().st_size
        if options.keep:
            shutil.copyfile(html, options.keep)
        ready, loaded = time_page(html, options.repeats)
        result = {
            "run": run.name,
            "tests": options.tests if not options.run_dir else None,
            "samples": int(options.seconds / options.interval) if not options.run_dir else None,
            "generate_s": statistics.median(generate),
            "size_bytes": size,
            "ready_s": statistics.median(ready),
            "dom_content_loaded_s": statistics.median(loaded),
            "repeats": options.repeats,
        }
    print(json.dumps(result, indent=2))
    if options.out:
        Path(options.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
