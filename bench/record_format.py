"""The plugin's per-test record formatting, now against a git revision: nanoseconds per test.

Per test the plugin formats a `test` record and three `end` records (docs/formats/journal.md).
This times exactly that, for ordinary ASCII node ids (and, for information, for node ids that
are not ASCII and that are not UTF-8), with the working tree's `records` module and with the
one of `--baseline` (a git revision), alternating; the minimum over `--repeats` (the least
disturbed measure: on a shared machine every other one is the same work plus someone else's),
and the median for information.

    /usr/bin/python3 bench/record_format.py --baseline main --repeats 15
"""

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "python/pytest_blackbox"


def load_revision(revision, into):
    """The `records` module of `revision`, as package `pytest_blackbox_<n>` under `into`."""
    name = "pytest_blackbox_baseline"
    package = into / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    listing = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{revision}:{PACKAGE}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for module in ("records.py", "bounded.py", "names.py"):
        if module in listing:
            text = subprocess.run(
                ["git", "show", f"{revision}:{PACKAGE}/{module}"],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            (package / module).write_text(text)
    sys.path.insert(0, str(into))
    return importlib.import_module(f"{name}.records")


def per_test(records, nodeids):
    """A callable formatting the four records of each test in `nodeids`."""
    test, end = records.test, records.end

    def run():
        for nodeid in nodeids:
            test(1234567890123, nodeid)
            end(1234567890124, "setup", "passed", 0.000123)
            end(1234567890125, "call", "passed", 0.000456)
            end(1234567890126, "teardown", "passed", 0.000078)

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="HEAD", help="git revision to compare with")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--tests", type=int, default=2000, help="tests per measure")
    parser.add_argument("--out", help="write the figures as JSON here")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO / "python"))
    current = importlib.import_module("pytest_blackbox.records")
    with tempfile.TemporaryDirectory() as scratch:
        baseline = load_revision(args.baseline, Path(scratch))
        kinds = {
            "ascii": [
                f"tests/test_mod{i % 50}.py::test_case_{i}[param-{i}]" for i in range(args.tests)
            ],
            "utf8": [f"tests/test_mod.py::test_case[caf\u00e9-{i}]" for i in range(args.tests)],
            "not_utf8": [f"tests/test_\udcff.py::test_case_{i}" for i in range(args.tests)],
        }
        figures = {}
        for kind, nodeids in kinds.items():
            times = {"baseline": [], "current": []}
            runs = {"baseline": per_test(baseline, nodeids), "current": per_test(current, nodeids)}
            for _ in range(args.repeats):
                for side in ("baseline", "current"):
                    seconds = timeit.timeit(runs[side], number=1)
                    times[side].append(seconds / len(nodeids) * 1e9)
            figures[kind] = {side: round(min(values), 1) for side, values in times.items()}
            figures[kind]["ratio"] = round(figures[kind]["current"] / figures[kind]["baseline"], 3)
            figures[kind]["median_ratio"] = round(
                statistics.median(times["current"]) / statistics.median(times["baseline"]), 3
            )
            print(
                f"{kind:9} baseline {figures[kind]['baseline']:7.1f} ns/test   "
                f"current {figures[kind]['current']:7.1f} ns/test   ratio {figures[kind]['ratio']}"
                f"   (medians: {figures[kind]['median_ratio']})"
            )
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
