"""Finishing a suite despite crashes: `blackbox run --max-restarts` against the retry loop that
re-runs the whole command with `--deselect` for each crashed test (pytest-abort-retry's way).

    /usr/bin/python3 bench/resume.py [--tests 2000] [--crashes 5] [--blackbox build/bin/blackbox]

Counts the test bodies each way executes until the suite is complete (target for blackbox:
exactly the number of tests) and the wall time. Not part of CI.
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

SUITE = """
import ctypes
import os

import pytest

CRASHING = {crashing}
BODIES = os.path.join(os.path.dirname(__file__), "bodies.txt")

@pytest.mark.parametrize("n", range({tests}))
def test_step(n):
    with open(BODIES, "a") as bodies:
        bodies.write(f"{{n}}\\n")
    if n in CRASHING:
        ctypes.string_at(0)
"""


def prepare(root: Path, tests: int, crashes: int) -> None:
    crashing = {int((i + 0.5) * tests / crashes) for i in range(crashes)}
    (root / "test_suite.py").write_text(SUITE.format(tests=tests, crashing=sorted(crashing)))
    (root / "bodies.txt").write_text("")


def bodies(root: Path) -> int:
    return len((root / "bodies.txt").read_text().split())


def with_blackbox(root: Path, blackbox: str, crashes: int) -> dict:
    argv = [blackbox, "run", "--no-pty", "--max-restarts", str(crashes + 1), "--json", "r.json"]
    argv += ["--", sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    start = time.perf_counter()
    subprocess.run(
        argv, cwd=root, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - start
    report = json.loads((root / "r.json").read_text())
    return {
        "bodies": bodies(root),
        "wall_s": elapsed,
        "attempts": report["attempts"],
        "summary": report["summary"],
    }


def with_deselect_retries(root: Path, crashes: int) -> dict:
    """Run everything; after a crash, run everything again minus the crashed tests."""
    deselected = []
    start = time.perf_counter()
    runs = 0
    while True:
        runs += 1
        before = bodies(root)
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        argv += [f"--deselect=test_suite.py::test_step[{n}]" for n in deselected]
        result = subprocess.run(
            argv, cwd=root, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if result.returncode >= 0 or runs > crashes + 1:
            break
        ran = (root / "bodies.txt").read_text().split()[before:]
        deselected.append(int(ran[-1]))  # the last body that started is the one that crashed
    return {"bodies": bodies(root), "wall_s": time.perf_counter() - start, "runs": runs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=2000)
    parser.add_argument("--crashes", type=int, default=5)
    parser.add_argument("--blackbox", default=str(REPO / "build" / "bin" / "blackbox"))
    parser.add_argument("--out")
    args = parser.parse_args()
    figures = {"tests": args.tests, "crashes": args.crashes}
    with tempfile.TemporaryDirectory(prefix="blackbox-bench-") as tmp:
        root = Path(tmp) / "resume"
        root.mkdir()
        prepare(root, args.tests, args.crashes)
        figures["blackbox"] = with_blackbox(root, os.path.abspath(args.blackbox), args.crashes)
        prepare(root, args.tests, args.crashes)
        figures["deselect_retries"] = with_deselect_retries(root, args.crashes)
    print(json.dumps(figures, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
