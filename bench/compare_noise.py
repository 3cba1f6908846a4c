"""How often `blackbox compare` fails the gate on unchanged code, and whether it finds planted
regressions, on real runs recorded here.

    /usr/bin/python3 bench/compare_noise.py [--runs 90] [--pattern serial,serial,xdist]
                                            [--planted 5] [--suite examples/steady-suite]
                                            [--copies 1] [--pytest-args "tests"]
                                            [--keep FILE] [--replay DB]
                                            [--python /usr/bin/python3]
                                            [--blackbox build/bin/blackbox]
                                            [--baseline-blackbox OTHER] [--out FILE]

Copies the suite (default: examples/steady-suite, 27 tests; with --copies N, N copies of its test
modules, the planted regressions in the first only: a larger suite gives noise more tests to
strike) into a new directory and records it
--runs times with `blackbox run`, the settings cycling through --pattern (`serial`: plain
pytest; `xdist`: `-n 2`). After each run, `blackbox compare --json` judges it against the runs
before it, exactly as a CI gate would: exit 0 (no regression), 1 (a regression: on unchanged
code, a false alarm) or 2 (nothing to compare yet: too little history of those settings). The
false-alarm rate is the alarms over the comparisons that judged (exit 0 or 1); each alarm is
listed with the tests and metrics it named.

With --baseline-blackbox, that binary's `compare` judges a copy of the same database after each
run too (an older blackbox: its rule on the same figures).

Then --planted times each, on top of the unchanged history: a run with STEADY_SLOWER=1 (one
test that waits 50 ms waits 80 ms: +60%) and one with STEADY_HUNGRIER=1 (one test allocates
50 MiB more), each judged and then removed from the database so that the next starts from the
same history; the detection rate is the runs where the planted test was named, alone.

Finally, from the database, for each test of the first setting's history: its median, its
spread (1.4826 × MAD over the last 10 runs) and the smallest growth the rule would flag (docs/
commands/compare.md, "The smallest detectable change", with the default thresholds), i.e. the
smallest detectable change for a test of that spread.

With --replay DB, nothing is recorded: the runs of that database (one kept with --keep) are
judged again, each against the ones before it, by --blackbox and --baseline-blackbox (the newest
run dropped from a copy after each judgement): another rule, or another version, on exactly the
same figures.

Any other suite can be measured (--suite a project's directory, --pytest-args what to pass pytest,
--planted 0: its tests know nothing of the planted variables); --keep DIR keeps its metrics
database for a closer look.

Not part of CI: the machine is shared and its load is the noise being measured; the load
average is recorded before and after.
"""

import argparse
import json
import os
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
SETTINGS = {"serial": [], "xdist": ["-n", "2"]}
PLANTED = {
    "STEADY_SLOWER": ("tests/test_io.py::test_fetch_50ms", "wall"),
    "STEADY_HUNGRIER": ("tests/test_memory.py::test_build_index", "memory"),
}


def record(blackbox, python, root, args, env, pytest_args=()):
    argv = [blackbox, "run", "--no-pty", "--no-status", "--keep-runs", "3", "--"]
    argv += [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args, *args]
    result = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"the suite failed: {result.stdout[-2000:]}{result.stderr[-2000:]}")


def judge(blackbox, root, db=None):
    argv = [blackbox, "compare", "--json"] + (["--db", str(db)] if db else [])
    result = subprocess.run(argv, cwd=root, env=clean_env(), capture_output=True, text=True)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        report = {}
    flagged = [(r["nodeid"], r["metric"]) for r in report.get("regressions", [])]
    return result.returncode, flagged, report


def copy_database(source, target):
    """A consistent copy, write-ahead log included (a file copy may miss what it holds)."""
    Path(target).unlink(missing_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def forget_newest(db):
    """Removes the newest session's rows (a planted run), so the history is unchanged code."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            (session_h,) = conn.execute(
                "SELECT session_h FROM blackbox_runs ORDER BY started DESC, run_id DESC LIMIT 1"
            ).fetchone()
            for table in ("blackbox_runs", "blackbox_tests", "blackbox_crashes"):
                conn.execute(f"DELETE FROM {table} WHERE session_h = ?", (session_h,))
            for table in ("TEST_METRICS", "TEST_SESSIONS"):
                conn.execute(f"DELETE FROM {table} WHERE SESSION_H = ?", (session_h,))
    finally:
        conn.close()


def replay(db, binaries, work):
    """Judges every run of `db` against the ones before it, newest first, with each binary."""
    copy = work / "replay.db"
    copy_database(db, copy)
    with sqlite3.connect(copy) as conn:
        total = conn.execute("SELECT count(*) FROM blackbox_runs").fetchone()[0]
    verdicts = {name: [] for name in binaries}
    for index in range(total, 0, -1):
        for name, blackbox in binaries.items():
            code, flagged, _ = judge(blackbox, work, copy)
            verdicts[name].append({"run": index, "exit": code, "flagged": flagged})
        forget_newest(copy)
    result = {}
    for name, runs in verdicts.items():
        runs.reverse()
        judged = [run for run in runs if run["exit"] in (0, 1)]
        alarms = [run for run in runs if run["exit"] == 1]
        result[name] = {
            "false_alarm_rate": rate(len(alarms), len(judged)),
            "alarms": alarms,
            "flagged_per_alarm": [len(run["flagged"]) for run in alarms],
        }
        print(f"{name}: {len(alarms)} alarms in {len(judged)} judged runs", flush=True)
    return result


def rate(alarms, judged):
    return {"alarms": alarms, "judged": judged, "rate": alarms / judged if judged else None}


def smallest_detectable(db, settings_workers, last=10):
    """Per test: median, spread and the smallest growth the rule flags (docs/commands/compare.md,
    "The smallest detectable change"), from the last runs of those settings."""
    with sqlite3.connect(db) as conn:
        sessions = [
            row[0]
            for row in conn.execute(
                "SELECT session_h FROM blackbox_runs WHERE json_extract(settings, '$.workers') = ?"
                " ORDER BY started DESC LIMIT ?",
                (settings_workers, last),
            )
        ]
        figures = {}
        for session_h in sessions:
            for nodeid, wall, user, system, peak, before in conn.execute(
                "SELECT nodeid, total_s, user_s, sys_s, peak_rss_bytes, rss_before_bytes FROM"
                " blackbox_tests WHERE session_h = ? AND outcome = 'passed'",
                (session_h,),
            ):
                figures.setdefault(nodeid, []).append((wall, user + system, peak - before))

    def spread(xs):
        m = statistics.median(xs)
        return 1.4826 * statistics.median([abs(x - m) for x in xs])

    def growth(xs, relative, floor):
        m = statistics.median(xs)
        least = max(5 * spread(xs), relative * m, floor)
        return max(least, max(xs) - m + least / 2)

    rows = []
    for nodeid, values in sorted(figures.items()):
        walls, cpus, added = ([v[i] for v in values] for i in range(3))
        wall_m, cpu_m, mem_m = map(statistics.median, (walls, cpus, added))
        running = cpu_m >= wall_m / 2
        wall_limit = growth(walls, 0.25, 0.02) + 3 * (cpu_m + (0.01 if running else 0))
        cpu_limit = growth(cpus, 0.5, 0.05)
        mem_limit = growth(added, 0.2, 10 * MIB)
        rows.append(
            {
                "nodeid": nodeid,
                "wall_median_s": round(wall_m, 4),
                "wall_spread_s": round(spread(walls), 4),
                "wall_smallest_detectable_s": round(wall_limit, 4),
                "cpu_median_s": round(cpu_m, 4),
                "cpu_spread_s": round(spread(cpus), 4),
                "cpu_smallest_detectable_s": round(cpu_limit, 4),
                "added_median_mib": round(mem_m / MIB, 2),
                "added_spread_mib": round(spread(added) / MIB, 2),
                "memory_smallest_detectable_mib": round(mem_limit / MIB, 1),
            }
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=90)
    parser.add_argument("--pattern", default="serial,serial,xdist")
    parser.add_argument("--planted", type=int, default=5)
    parser.add_argument("--suite", default=str(REPO / "examples" / "steady-suite"))
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--pytest-args", default="")
    parser.add_argument("--keep", default=None)
    parser.add_argument("--replay", default=None)
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--blackbox", default=str(REPO / "build" / "bin" / "blackbox"))
    parser.add_argument("--baseline-blackbox", default=None)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    pattern = args.pattern.split(",")
    pytest_args = args.pytest_args.split()
    unknown = [p for p in pattern if p not in SETTINGS]
    if unknown:
        parser.error(f"--pattern: unknown settings {unknown}; known: {sorted(SETTINGS)}")

    if args.replay:
        work = Path(tempfile.mkdtemp(prefix="blackbox-compare-replay-"))
        binaries = {"blackbox": args.blackbox}
        if args.baseline_blackbox:
            binaries["baseline"] = args.baseline_blackbox
        try:
            result = replay(Path(args.replay), binaries, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(json.dumps({k: v["false_alarm_rate"] for k, v in result.items()}, indent=1))
        if args.out:
            Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
        return

    work = Path(tempfile.mkdtemp(prefix="blackbox-compare-noise-"))
    root = work / "suite"
    shutil.copytree(args.suite, root)
    shutil.rmtree(root / ".blackbox", ignore_errors=True)
    for copy in range(2, args.copies + 1):
        for module in sorted((root / "tests").glob("test_*.py")):
            if "_copy" in module.stem:
                continue
            text = module.read_text().replace("STEADY_", "STEADY_UNPLANTED_")
            (module.parent / f"{module.stem}_copy{copy}.py").write_text(text)
    db = root / ".blackbox" / "metrics.db"
    env = clean_env()
    load_before = os.getloadavg()
    started = time.monotonic()
    result = {"runs": [], "alarms": [], "baseline_alarms": []}
    counts = {"judged": 0, "alarms": 0, "baseline_judged": 0, "baseline_alarms": 0}
    try:
        for i in range(args.runs):
            name = pattern[i % len(pattern)]
            record(args.blackbox, args.python, root, SETTINGS[name], env, pytest_args)
            code, flagged, _ = judge(args.blackbox, root)
            result["runs"].append({"run": i + 1, "settings": name, "exit": code})
            if code in (0, 1):
                counts["judged"] += 1
            if code == 1:
                counts["alarms"] += 1
                result["alarms"].append({"run": i + 1, "settings": name, "flagged": flagged})
            line = f"run {i + 1:3d} {name:6s} exit {code}  {flagged if code == 1 else ''}"
            if args.baseline_blackbox:
                copy = work / "baseline.db"
                copy_database(db, copy)
                old_code, old_flagged, _ = judge(args.baseline_blackbox, root, copy)
                if old_code in (0, 1):
                    counts["baseline_judged"] += 1
                if old_code == 1:
                    counts["baseline_alarms"] += 1
                    result["baseline_alarms"].append(
                        {"run": i + 1, "settings": name, "flagged": old_flagged}
                    )
                line += f"  (baseline binary: exit {old_code}, {len(old_flagged)} flagged)"
            print(line, flush=True)

        detection = {}
        for variable, expected in PLANTED.items():
            named = alone = 0
            for _ in range(args.planted):
                record(args.blackbox, args.python, root, [], dict(env, **{variable: "1"}))
                code, flagged, _ = judge(args.blackbox, root)
                named += code == 1 and tuple(expected) in [tuple(f) for f in flagged]
                alone += code == 1 and [tuple(f) for f in flagged] == [tuple(expected)]
                forget_newest(db)
            detection[variable] = {"runs": args.planted, "named": named, "named_alone": alone}
            print(f"{variable}: named in {named} of {args.planted} runs, alone in {alone}")

        result["false_alarm_rate"] = rate(counts["alarms"], counts["judged"])
        if args.baseline_blackbox:
            result["baseline_false_alarm_rate"] = rate(
                counts["baseline_alarms"], counts["baseline_judged"]
            )
        result["detection"] = detection
        last_settings = 2 if pattern[0] == "xdist" else 0
        result["smallest_detectable"] = smallest_detectable(db, last_settings)
        if args.keep:
            copy_database(db, args.keep)
    finally:
        result["seconds"] = round(time.monotonic() - started, 1)
        result["load_average"] = {"before": load_before, "after": os.getloadavg()}
        shutil.rmtree(work, ignore_errors=True)

    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
