"""The sampler thread's CPU cost at an interval (target: under 1% of one core at the default).

    /usr/bin/python3 bench/sampler_cost.py [--interval 0.05] [--seconds 10] [--children 4]

Records a test that sleeps while a few child processes sleep too (a tree of several processes
to walk), finds the supervisor's `blackbox-sample` thread and reads its CPU time from
/proc/<pid>/task/<tid>/stat over the run. Not part of CI.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from overhead import REPO, clean_env

TEST = """
import subprocess
import sys
import time

def test_sleeps_with_children():
    children = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep({seconds})"])
                for _ in range({children})]
    time.sleep({seconds})
    for child in children:
        child.wait()
"""


def sampler_ticks(pid: int):
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            if (task / "comm").read_text().strip() == "blackbox-sample":
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                return int(fields[11]) + int(fields[12])  # utime + stime, clock ticks
        except OSError:
            continue
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--children", type=int, default=4)
    parser.add_argument("--blackbox", default=str(REPO / "build" / "bin" / "blackbox"))
    args = parser.parse_args()
    hertz = os.sysconf("SC_CLK_TCK")
    with tempfile.TemporaryDirectory(prefix="blackbox-bench-") as tmp:
        Path(tmp, "test_sleep.py").write_text(
            TEST.format(seconds=args.seconds, children=args.children)
        )
        argv = [
            os.path.abspath(args.blackbox),
            "run",
            "--no-pty",
            "--interval",
            str(args.interval),
            "--",
        ]
        argv += [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        process = subprocess.Popen(argv, cwd=tmp, env=clean_env(), stdout=subprocess.DEVNULL)
        first = None
        while first is None and process.poll() is None:
            first = sampler_ticks(process.pid)
            time.sleep(0.05)
        start = time.monotonic()
        time.sleep(args.seconds * 0.8)
        last = sampler_ticks(process.pid)
        elapsed = time.monotonic() - start
        process.wait()
    figures = {
        "interval_s": args.interval,
        "measured_s": elapsed,
        "sampler_cpu_s": (last - first) / hertz,
        "fraction_of_one_core": (last - first) / hertz / elapsed,
    }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
