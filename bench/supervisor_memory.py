"""The supervisor's own memory while it records a large run (target: under 32 MiB).

    /usr/bin/python3 bench/supervisor_memory.py [--tests 100000] [--blackbox build/bin/blackbox]

Polls the `blackbox run` process's VmRSS and VmHWM (its own, not pytest's) every few
milliseconds from start to exit, and reports the peak while pytest runs and the peak overall
(which includes the post-mortem analysis after pytest ended). Not part of CI.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from overhead import REPO, clean_env, make_suite


def status_kib(pid: int, field: str):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=100000)
    parser.add_argument("--blackbox", default=str(REPO / "build" / "bin" / "blackbox"))
    parser.add_argument("--out", help="write the figures as JSON here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="blackbox-bench-") as tmp:
        root = Path(tmp)
        make_suite(root, args.tests)
        argv = [str(Path(args.blackbox).resolve()), "run", "--no-pty", "--"]
        argv += [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        start = time.monotonic()
        process = subprocess.Popen(
            argv, cwd=root, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        rss_during, hwm = 0, 0
        end_json = None
        while process.poll() is None:
            rss = status_kib(process.pid, "VmRSS")
            peak = status_kib(process.pid, "VmHWM")
            if rss is not None and end_json is None:
                runs = list((root / ".blackbox" / "runs").glob("*/end.json"))
                if runs:
                    end_json = time.monotonic()  # pytest ended: the analysis begins
                else:
                    rss_during = max(rss_during, rss)
            if peak is not None:
                hwm = max(hwm, peak)
            time.sleep(0.005)
        elapsed = time.monotonic() - start
        show_start = time.monotonic()
        subprocess.run([argv[0], "show", "--json"], cwd=root, stdout=subprocess.DEVNULL, check=True)
        show_s = time.monotonic() - show_start

    figures = {
        "tests": args.tests,
        "run_s": elapsed,
        "supervisor_rss_while_recording_kib": rss_during,
        "supervisor_peak_rss_kib": hwm,
        "show_json_s": show_s,
    }
    print(json.dumps(figures, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
