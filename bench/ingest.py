"""Ingest time: `blackbox ingest` of a large recorded run into the metrics database, medians.

    /usr/bin/python3 bench/ingest.py [--tests 100000 | --run-dir RUN] [--repeats 5]
                                     [--blackbox build/bin/blackbox]

Without --run-dir, records a suite of N trivial tests first (`blackbox run --no-metrics`, about
a millisecond per test). Reports (and writes as JSON with --out), each the median of the
repeats:
- `fresh_s`: ingest into a new database (created, migrated, every row written; target < 2 s
  for 100,000 tests);
- `again_s`: the same run ingested again (its rows deleted and written anew);
- `among_s`: the run under another id into a database that already holds it (a growing store);
- `load_s`: `blackbox show --json` on the run: reading the journals into the run model, which
  `blackbox run` has already done when it stores the run, so its own ingest costs about
  fresh_s - load_s.
Run it with the interpreter that has pytest. Not part of CI.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overhead import REPO, clean_env, make_suite  # noqa: E402


def timed(argv) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=clean_env(), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def stored_tests(blackbox: str, run: Path, database: Path) -> int:
    """The number of tests one ingest stores ("blackbox: stored RUN: N tests, ...")."""
    argv = [blackbox, "ingest", "--db", str(database), str(run)]
    out = subprocess.run(argv, env=clean_env(), check=True, capture_output=True, text=True)
    return int(out.stdout.split(": ")[2].split()[0])


def record(blackbox: str, root: Path, tests: int) -> Path:
    make_suite(root, tests)
    argv = [blackbox, "run", "--no-metrics", "--no-status", "--"]
    argv += [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    subprocess.run(argv, cwd=root, env=clean_env(), check=False, capture_output=True)
    return (root / ".blackbox" / "latest").resolve()


def renamed_copy(run: Path, into: Path) -> Path:
    """The run under another id: a second session of the same tests."""
    copy = into / (run.name + "-copy")
    shutil.copytree(run, copy, symlinks=True)
    run_json = copy / "run.json"
    if run_json.exists():
        doc = json.loads(run_json.read_text())
        doc["id"] = doc.get("id", run.name) + "-copy"
        run_json.write_text(json.dumps(doc))
    return copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=100000)
    parser.add_argument("--run-dir", help="a recorded run to ingest (else one is recorded)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--blackbox", default=str(REPO / "build" / "bin" / "blackbox"))
    parser.add_argument("--out", help="write the figures as JSON here")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="blackbox-ingest-") as scratch:
        scratch = Path(scratch)
        if options.run_dir:
            run = Path(options.run_dir).resolve()
        else:
            (scratch / "suite").mkdir()
            run = record(options.blackbox, scratch / "suite", options.tests)
        copy = renamed_copy(run, scratch)
        tests = stored_tests(options.blackbox, run, scratch / "count.db")
        fresh, again, among, load = [], [], [], []
        for repeat in range(options.repeats):
            database = scratch / f"metrics-{repeat}.db"
            ingest = [options.blackbox, "ingest", "--db", str(database)]
            fresh.append(timed(ingest + [str(run)]))
            again.append(timed(ingest + [str(run)]))
            among.append(timed(ingest + [str(copy)]))
            load.append(timed([options.blackbox, "show", "--json", str(run)]))
            for path in scratch.glob(f"metrics-{repeat}.db*"):
                path.unlink()
        result = {
            "run": run.name,
            "tests": tests,
            "fresh_s": statistics.median(fresh),
            "again_s": statistics.median(again),
            "among_s": statistics.median(among),
            "load_s": statistics.median(load),
            "repeats": options.repeats,
        }
    print(json.dumps(result, indent=2))
    if options.out:
        Path(options.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
