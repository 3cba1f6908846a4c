"""`blackbox plan` against pytest-split's duration-only splitting, on the same recorded history.

    /usr/bin/python3 bench/plan.py [--tests 300] [--heavy 6] [--seconds 30] [--runs 2]
                                   [--shards 2,4,8] [--memory-budget 400MiB,512MiB,768MiB]
                                   [--workers-max 4] [--db METRICS_DB] [--last 10]
                                   [--python /usr/bin/python3] [--blackbox build/bin/blackbox]
                                   [--save-db FILE] [--out FILE]

Without --db, generates a suite and records it with `blackbox run` (--runs times, serially, into
a new metrics database): --tests light tests in modules of 25 whose durations are skewed
(log-normal, a few 20 times longer, scaled so that one run's tests sum to about --seconds), and
--heavy tests, in two modules beside 5 light ones each, that each write 100 to 300 MiB. With
--db, reads that database's history instead.

The history is read from the database as `blackbox plan` reads it (docs/commands/plan.md): the
last --last sessions, a test's duration (`blackbox_tests.total_s`) and peak
(`peak_rss_bytes`) are its medians over the sessions it passed in; a test without them counts
the average duration. The suite's collection order is the newest session's start order.

For each budget of --memory-budget and each N of --shards, four splits of that one suite:
- `pytest-split least_duration` and `pytest-split duration_based_chunks`: pytest-split's
  algorithms (jerry-git/pytest-split, src/pytest_split/algorithms.py) reimplemented below;
- `blackbox plan`: `blackbox plan --shards N --memory-budget B --workers-max K`;
- `blackbox plan --isolate-heavy`: the same with the heavy tests in one xdist group.
Every shard is measured by the plan's memory model (docs/formats/plan.md, src/blackbox/plan/
memory_model.cpp): with W >= 2 xdist workers, the controller (the suite's smallest peak) plus
the sum of the W largest peaks of the shard; W = 1, the largest peak; a heavy group counts its
largest once, in one worker's place. Reported per shard: duration (the sum of its tests'),
the spread of the durations ((max - min) / mean), the expected peak with --workers-max workers
(what `-n K` on every job would need) and whether it fits the budget; then the workers that fit
(the most W <= K within the budget, as the plan gives each shard) and the expected wall time
(duration / W, at least the heavy group's duration: the plan's `expected_wall_s`); over the
shards, the largest expected wall time, and the same with one -n for every job (the most
workers that fit every shard: pytest-split's matrix runs one command). The plan's own figures
are checked against this model, and the plan without a budget against the least_duration
reimplementation (the exit status is 1 when a check fails). Not part of CI; the durations
compared are the recorded medians, not timings of the bench.
"""

import argparse
import heapq
import json
import math
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overhead import REPO, clean_env  # noqa: E402

MIB = 1 << 20
TESTS_PER_MODULE = 25
AREAS = ["api", "auth", "cache", "cli", "config", "db", "export", "io", "parse", "render"]
VERBS = ["reads", "writes", "checks", "builds", "merges"]  # collection order != node-id order
HEAVY_MODULES = ["test_frames.py", "test_models.py"]


# --- the suite -----------------------------------------------------------------------------


def make_suite(root: Path, tests: int, heavy: int, seconds: float, seed: int = 7) -> dict:
    """Writes tests/ under root; returns what was generated (durations are the nominal ones)."""
    rnd = random.Random(seed)
    heavy = min(heavy, tests)
    light = tests - heavy
    raw = [rnd.lognormvariate(0, 1.0) * (20 if rnd.random() < 0.03 else 1) for _ in range(light)]
    # Heavy tests are among the slower ones (loading a model, a large frame), not the slowest.
    ordered = sorted(raw)
    heavy_raw = [ordered[int(len(ordered) * rnd.uniform(0.80, 0.97))] * 2 for _ in range(heavy)]
    scale = seconds / (sum(raw) + sum(heavy_raw))
    sizes = [100 + round(200 * k / max(heavy - 1, 1)) for k in range(heavy)]  # MiB, 100..300
    rnd.shuffle(sizes)

    modules: dict = {}
    for i, duration in enumerate(raw):
        area = AREAS[(i // TESTS_PER_MODULE) % len(AREAS)]
        module = f"test_{area}_{i // (TESTS_PER_MODULE * len(AREAS))}.py"
        name = f"test_{VERBS[i % len(VERBS)]}_{i:04d}"
        modules.setdefault(module, []).append((name, duration * scale, 0))
    # The heavy tests, with some light ones before them, as in a real module.
    for module in HEAVY_MODULES[: max(min(heavy, len(HEAVY_MODULES)), 0)]:
        modules[module] = [(f"test_small_{j}", 0.002 * (j + 1), 0) for j in range(5)]
    for k, (duration, mib) in enumerate(zip(heavy_raw, sizes)):
        module = HEAVY_MODULES[k % len(HEAVY_MODULES)]
        modules[module].append((f"test_heavy_{k:02d}", duration * scale, mib))

    tests_dir = root / "tests"
    tests_dir.mkdir()
    for module, entries in modules.items():
        body = ["import time\n\nMIB = 1 << 20\n"]
        for name, duration, mib in entries:
            body.append(f"\n\ndef {name}():\n")
            if mib:
                body.append(
                    f"    block = b'\\x01' * ({mib} * MIB)  # resident: every page written\n"
                )
                body.append(f"    time.sleep({duration:.6f})\n    assert block[-1] == 1\n")
            else:
                body.append(f"    time.sleep({duration:.6f})\n")
        (tests_dir / module).write_text("".join(body))
    return {
        "tests": sum(len(entries) for entries in modules.values()),
        "modules": len(modules),
        "heavy": heavy,
        "heavy_touch_mib": sorted(sizes),
        "nominal_seconds": round(sum(d for e in modules.values() for _, d, _ in e), 3),
    }


def record(root: Path, blackbox: str, python: str, db: Path, runs: int) -> list:
    walls = []
    argv = [blackbox, "run", "--no-pty", "--no-status", "--keep-runs", "3", "--db", str(db)]
    argv += ["--", python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
    for run in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            argv, cwd=root, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        walls.append(time.perf_counter() - start)
        print(f"  recorded run {run + 1}/{runs}: {walls[-1]:.1f} s, exit {done.returncode}")
        if done.returncode != 0:
            sys.stdout.write(done.stdout.decode(errors="replace")[-3000:])
            raise SystemExit("the recorded run failed")
    return walls


# --- the history, read as `blackbox plan` reads it -----------------------------------------


def median(values: list):
    return statistics.median(values) if values else None


def load_history(db: Path, last: int) -> dict:
    """The suite's tests in collection order, with their median duration and peak."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        sessions = conn.execute(
            "SELECT session_h, run_id FROM blackbox_runs ORDER BY started, run_id"
        ).fetchall()
        if last:
            sessions = sessions[-last:]
        durations: dict = {}
        peaks: dict = {}
        seen: dict = {}
        for session_h, _ in sessions:
            rows = conn.execute(
                "SELECT nodeid, outcome, total_s, peak_rss_bytes FROM blackbox_tests "
                "WHERE session_h = ?",
                (session_h,),
            ).fetchall()
            for nodeid, outcome, total_s, peak in rows:
                seen.setdefault(nodeid, None)
                if outcome != "passed":
                    continue
                if total_s is not None:
                    durations.setdefault(nodeid, []).append(total_s)
                if peak is not None:
                    peaks.setdefault(nodeid, []).append(peak)
        newest = conn.execute(
            "SELECT nodeid FROM blackbox_tests WHERE session_h = ? ORDER BY start, rowid",
            (sessions[-1][0],),
        ).fetchall()
    order = [nodeid for (nodeid,) in newest]
    order += sorted(set(seen) - set(order))  # tests the newest session did not run
    return {
        "sessions": [run_id for _, run_id in sessions],
        "order": order,
        "duration": {n: median(durations[n]) for n in order if n in durations},
        "peak": {n: median(peaks[n]) for n in order if n in peaks},
    }


# --- pytest-split's algorithms -------------------------------------------------------------
# Reimplemented from jerry-git/pytest-split, src/pytest_split/algorithms.py. Both give a test
# without a recorded duration the average of the recorded durations of the tests collected
# (`_get_items_with_durations`: durations filtered to the collected items, then averaged; 1 when
# there is none). The durations pytest-split stores are each test's setup + call + teardown, as
# `blackbox_tests.total_s`.


def items_with_durations(items: list, durations: dict) -> list:
    relevant = {n: durations[n] for n in items if n in durations}
    average = sum(relevant.values()) / len(relevant) if relevant else 1
    return [(n, relevant.get(n, average)) for n in items]


def least_duration(splits: int, items: list, durations: dict) -> list:
    """LeastDurationAlgorithm: sorted by node id, then (stably) by duration, longest first; each
    test goes to the group with the smallest sum so far, a heap of (sum, group index) breaking
    ties by the lower index. Each group keeps its tests in collection order."""
    indexed = [(n, d, i) for i, (n, d) in enumerate(items_with_durations(items, durations))]
    indexed.sort(key=lambda t: t[0])
    indexed.sort(key=lambda t: t[1], reverse=True)
    selected = [[] for _ in range(splits)]
    heap = [(0, i) for i in range(splits)]
    heapq.heapify(heap)
    for nodeid, duration, index in indexed:
        summed, group = heapq.heappop(heap)
        selected[group].append((nodeid, index))
        heapq.heappush(heap, (summed + duration, group))
    return [[n for n, _ in sorted(group, key=lambda t: t[1])] for group in selected]


def duration_based_chunks(splits: int, items: list, durations: dict) -> list:
    """DurationBasedChunksAlgorithm: the collection order cut into consecutive groups; a group
    takes tests until its sum reaches total / splits, then the next group starts. (pytest-split
    moves to the next group without a bound; rounding can then run past the last group, an
    IndexError there: here the last group takes the rest.)"""
    pairs = items_with_durations(items, durations)
    per_group = sum(d for _, d in pairs) / splits
    selected = [[] for _ in range(splits)]
    sums = [0.0] * splits
    group = 0
    for nodeid, duration in pairs:
        if sums[group] >= per_group and group + 1 < splits:
            group += 1
        selected[group].append(nodeid)
        sums[group] += duration
    return selected


# --- the plan's memory model (src/blackbox/plan/memory_model.cpp) --------------------------


def shard_peak(peaks: list, workers: int, controller: int, heavy_above=None) -> int:
    """The expected peak of a shard whose tests have these peaks, run by `workers` processes."""
    heavy = sorted((p for p in peaks if heavy_above is not None and p > heavy_above), reverse=True)
    light = sorted((p for p in peaks if heavy_above is None or p <= heavy_above), reverse=True)
    total = controller if workers >= 2 else 0
    light_workers = workers
    if heavy:
        total += heavy[0]  # the heavy group: one test at a time, in one worker
        light_workers -= 1
    return total + sum(light[:light_workers])


def workers_within(peaks, budget, workers_max, controller, heavy_above=None):
    for workers in range(workers_max, 0, -1):
        if shard_peak(peaks, workers, controller, heavy_above) <= budget:
            return workers
    return None


# --- running and measuring -----------------------------------------------------------------


def run_plan(blackbox: str, db: Path, out: Path, shards: int, extra: list, last: int) -> dict:
    argv = [blackbox, "plan", "--db", str(db), "--shards", str(shards), "--last", str(last)]
    argv += extra + ["-o", str(out)]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())


def measure(groups, history, average, budget, workers_max, controller, heavy_above=None):
    """Per-shard figures of a split (lists of node ids) under the memory model."""
    shards = []
    for tests in groups:
        duration = sum(history["duration"].get(n, average) for n in tests)
        peaks = [int(history["peak"][n]) for n in tests if n in history["peak"]]
        most = min(workers_max, max(len(tests), 1))
        at_max = shard_peak(peaks, most, controller, heavy_above)
        fit = workers_within(peaks, budget, most, controller, heavy_above)
        heavy_s = sum(
            history["duration"].get(n, average)
            for n in tests
            if heavy_above is not None and history["peak"].get(n, 0) > heavy_above
        )
        workers = fit or 1
        shards.append(
            {
                "tests": len(tests),
                "duration_s": duration,
                "peak_at_workers_max_bytes": at_max,
                "fits_at_workers_max": at_max <= budget,
                "workers": workers,
                "peak_bytes": shard_peak(peaks, workers, controller, heavy_above),
                "within_budget": fit is not None,
                "expected_wall_s": max(duration / workers, heavy_s),
                "heavy_duration_s": heavy_s,
            }
        )
    durations = [s["duration_s"] for s in shards]
    mean = sum(durations) / len(durations)
    uniform = min(s["workers"] for s in shards)
    return {
        "spread": (max(durations) - min(durations)) / mean if mean else 0.0,
        "max_duration_s": max(durations),
        "max_expected_wall_s": max(s["expected_wall_s"] for s in shards),
        # One -n for every job (pytest-split's way: one command for the whole matrix): the most
        # workers within the budget on every shard.
        "uniform_workers": uniform,
        "max_wall_uniform_s": max(
            max(s["duration_s"] / uniform, s["heavy_duration_s"]) for s in shards
        ),
        "shards_over_budget_at_workers_max": sum(not s["fits_at_workers_max"] for s in shards),
        "shards_within_budget": sum(s["within_budget"] for s in shards),
        "per_shard": shards,
    }


def check_plan(plan: dict, measured: dict) -> list:
    """Differences between the plan file's figures and the model recomputed here."""
    problems = []
    for mine, theirs in zip(measured["per_shard"], plan["shards"]):
        for key, their_key in (("workers", "workers"), ("peak_bytes", "expected_peak_bytes")):
            if mine[key] != theirs[their_key]:
                problems.append(
                    f"shard {theirs['shard']}: {key} {mine[key]} != {theirs[their_key]}"
                )
        if not math.isclose(mine["duration_s"], theirs["duration_s"], rel_tol=1e-9, abs_tol=1e-9):
            problems.append(f"shard {theirs['shard']}: duration differs")
        if not math.isclose(mine["expected_wall_s"], theirs["expected_wall_s"], rel_tol=1e-9):
            problems.append(f"shard {theirs['shard']}: expected wall time differs")
        if mine["within_budget"] != theirs["within_budget"]:
            problems.append(f"shard {theirs['shard']}: within_budget differs")
    return problems


def check_unbounded(blackbox, db, root, shards, last, history, figures) -> list:
    """The plan without a budget against the reimplemented algorithms; the same history."""
    checks = []
    known = history["duration"]
    items = history["order"]
    unbounded = run_plan(blackbox, db, root / "u.json", shards, ["--workers-max", "1"], last)
    algorithm = ["--algorithm", "duration_based_chunks", "--workers-max", "1"]
    chunked = run_plan(blackbox, db, root / "c.json", shards, algorithm, last)
    for nodeid, fig in unbounded["figures"].items():
        if fig["duration_s"] != known.get(nodeid):
            checks.append(f"N={shards}: {nodeid}: the plan's duration differs")
        peak = history["peak"].get(nodeid)
        if fig["peak_bytes"] != (None if peak is None else int(peak)):
            checks.append(f"N={shards}: {nodeid}: the plan's peak differs")
    split = least_duration(shards, items, known)
    if [sorted(g) for g in split] != [sorted(s["tests"]) for s in unbounded["shards"]]:
        checks.append(f"N={shards}: the plan without budget != least_duration")
    cut = [sorted(s["tests"]) for s in chunked["shards"]]
    collection = [sorted(g) for g in duration_based_chunks(shards, items, known)]
    nodeids = [sorted(g) for g in duration_based_chunks(shards, sorted(items), known)]
    figures.setdefault("plan_chunks", []).append(
        {
            "shards": shards,
            "same_as_collection_order": cut == collection,
            "same_as_nodeid_order": cut == nodeids,
        }
    )
    return checks


def compare_at(blackbox, db, root, shards, budget_text, args, history, checks) -> list:
    """The four splits for N shards under one budget: printed, and returned as result rows."""
    known = history["duration"]
    average = sum(known.values()) / len(known) if known else 0.0
    options = ["--memory-budget", budget_text, "--workers-max", str(args.workers_max)]
    ours = run_plan(blackbox, db, root / "p.json", shards, options, args.last)
    isolated = run_plan(
        blackbox, db, root / "i.json", shards, options + ["--isolate-heavy"], args.last
    )
    budget = ours["memory_budget_bytes"]
    controller = ours["controller_bytes"]
    heavy_above = isolated["isolate_heavy"]["threshold_bytes"]
    rows = [
        ("pytest-split least_duration", least_duration(shards, history["order"], known), None),
        (
            "pytest-split duration_based_chunks",
            duration_based_chunks(shards, history["order"], known),
            None,
        ),
        ("blackbox plan", ours, None),
        ("blackbox plan --isolate-heavy", isolated, heavy_above),
    ]
    table, results = [], []
    for name, split, heavy in rows:
        plan = split if isinstance(split, dict) else None
        groups = [s["tests"] for s in plan["shards"]] if plan else split
        measured = measure(groups, history, average, budget, args.workers_max, controller, heavy)
        if plan:
            checks += [f"N={shards} {budget_text} {name}: {p}" for p in check_plan(plan, measured)]
            measured["memory_kept"] = plan["memory_kept"]
        table.append((name, measured))
        results.append(
            {
                "shards": shards,
                "memory_budget_bytes": budget,
                "controller_bytes": controller,
                "heavy_above_bytes": heavy,
                "algorithm": name,
                **measured,
            }
        )
    print_table(shards, table, budget, args.workers_max)
    return results


def mib(value: float) -> str:
    return f"{value / MIB:.0f}"


def print_table(shards: int, rows: list, budget: int, workers_max: int) -> None:
    print(
        f"\nN = {shards} shards, budget {mib(budget)} MiB, -n {workers_max}"
        f"  (per shard: duration s | peak MiB with -n {workers_max} | workers that fit, peak MiB)"
    )
    print(
        f"  {'algorithm':<36} {'spread':>7} {'max dur':>8} {'over@-n':>7} "
        f"{'fit':>5} {'max wall':>8} {'same -n':>8}"
    )
    for name, figures in rows:
        count = len(figures["per_shard"])
        print(
            f"  {name:<36} {figures['spread'] * 100:6.1f}% {figures['max_duration_s']:7.2f}s "
            f"{figures['shards_over_budget_at_workers_max']:>3}/{count:<3} "
            f"{figures['shards_within_budget']:>2}/{count:<2} "
            f"{figures['max_expected_wall_s']:7.2f}s "
            f"{figures['max_wall_uniform_s']:7.2f}s -n{figures['uniform_workers']}"
        )
        cells = [
            f"{s['duration_s']:.2f}|{mib(s['peak_at_workers_max_bytes'])}"
            f"{'' if s['fits_at_workers_max'] else '!'}|{s['workers']}w,{mib(s['peak_bytes'])}"
            f"{'' if s['within_budget'] else '!'}"
            for s in figures["per_shard"]
        ]
        for start in range(0, len(cells), 4):
            print("      " + "  ".join(f"{c:<22}" for c in cells[start : start + 4]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=300, help="tests to generate")
    parser.add_argument("--heavy", type=int, default=6, help="of them, touching 100-300 MiB")
    parser.add_argument("--seconds", type=float, default=30.0, help="one run's test durations")
    parser.add_argument("--runs", type=int, default=2, help="recorded runs of the suite")
    parser.add_argument("--shards", default="2,4,8", help="shard counts, comma-separated")
    parser.add_argument(
        "--memory-budget", default="400MiB,512MiB,768MiB", help="budgets, comma-separated"
    )
    parser.add_argument("--workers-max", type=int, default=4)
    parser.add_argument("--last", type=int, default=10, help="sessions of history (0: all)")
    parser.add_argument("--db", help="use this metrics database instead of recording a suite")
    parser.add_argument("--save-db", help="copy the recorded metrics database here")
    parser.add_argument("--python", default="/usr/bin/python3", help="interpreter with pytest")
    parser.add_argument("--blackbox", default=str(REPO / "build" / "bin" / "blackbox"))
    parser.add_argument("--out", help="write the figures as JSON here")
    args = parser.parse_args()
    blackbox = str(Path(args.blackbox).resolve())
    shard_counts = [int(n) for n in args.shards.split(",")]

    figures: dict = {"memory_budget": args.memory_budget, "workers_max": args.workers_max}
    with tempfile.TemporaryDirectory(prefix="blackbox-bench-") as tmp:
        root = Path(tmp)
        if args.db:
            db = Path(args.db).resolve()
        else:
            db = root / "metrics.db"
            figures["suite"] = make_suite(root, args.tests, args.heavy, args.seconds)
            print(f"suite: {figures['suite']}")
            figures["record_wall_s"] = record(root, blackbox, args.python, db, args.runs)
            if args.save_db:
                shutil.copyfile(db, args.save_db)

        history = load_history(db, args.last)
        known = history["duration"]
        average = sum(known.values()) / len(known) if known else 0.0
        items = history["order"]
        figures["history"] = {
            "sessions": history["sessions"],
            "tests": len(items),
            "tests_measured": len(known),
            "total_duration_s": sum(known.get(n, average) for n in items),
            "largest_peaks_mib": [
                round(p / MIB, 1) for p in sorted(history["peak"].values(), reverse=True)[:8]
            ],
            "smallest_peak_mib": round(min(history["peak"].values()) / MIB, 1),
        }
        print(f"history: {figures['history']}")

        checks = []
        for shards in shard_counts:
            checks += check_unbounded(blackbox, db, root, shards, args.last, history, figures)
        results = []
        for budget_text in args.memory_budget.split(","):
            for shards in shard_counts:
                results += compare_at(
                    blackbox, db, root, shards, budget_text, args, history, checks
                )
        figures["results"] = results
        figures["checks"] = checks or ["ok"]

    print(
        "\n(spread: (max - min) / mean of the shards' durations; over@-n: shards whose peak with"
        f" -n {args.workers_max} exceeds the budget; fit: shards within the budget with the"
        " workers that fit; max wall: the largest duration / workers, each shard with the workers"
        " that fit it; same -n: the largest duration / the workers that fit every shard;"
        " '!': over the budget)"
    )
    print(f"the plan's duration_based_chunks: {figures['plan_chunks']}")
    print(f"checks: {figures['checks']}")
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if figures["checks"] == ["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
