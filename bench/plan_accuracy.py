"""How close `blackbox plan`'s expected wall time of a shard is to the real run of that shard.

    /usr/bin/python3 bench/plan_accuracy.py [--tests 200] [--seconds 20] [--shards 4]
                                            [--history 2] [--rounds 2]
                                            [--python /usr/bin/python3]
                                            [--blackbox build/bin/blackbox]
                                            [--baseline-blackbox OTHER] [--out FILE]

Generates bench/plan.py's suite (--tests light tests whose durations are skewed, summing to about
--seconds; no heavy ones) and records it --history times with `blackbox run -- python -m pytest
-n W`, W the machine's CPU count (what a CI job on this machine runs). Then, --rounds times:
`blackbox plan --shards N` (its default workers: the CPU count the history recorded), and each
shard run for real as its CI job would run it, `blackbox run -- python -m pytest
--blackbox-shard-plan plan.json --blackbox-shard K -n WORKERS` (WORKERS: the plan's for that
shard; without -n for 1), timed from the command's start to its end. The shard runs are recorded
into the same database, so the second round plans from shard runs, as CI does once it shards.

Reported per shard: the plan's `expected_wall_s`, the real wall time, and the error (expected −
real) / real; per round, the mean absolute error and the worst. With --baseline-blackbox, an
older blackbox plans from the same database at each round (its defaults: --workers-max 4), and
its shards are run as it says too: the error of its prediction, before.

Not part of CI: timings of a shared machine.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overhead import REPO, clean_env  # noqa: E402
from plan import make_suite  # noqa: E402


def run_pytest(blackbox, python, root, args):
    argv = [blackbox, "run", "--no-pty", "--no-status", "--keep-runs", "3", "--"]
    argv += [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=root, env=clean_env(), capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"a run failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")
    return wall


def workers_args(workers):
    return ["-n", str(workers)] if workers > 1 else []


def plan_and_run(blackbox, python, root, shards, label):
    plan_file = root / f"plan-{label}.json"
    done = subprocess.run(
        [blackbox, "plan", "--shards", str(shards), "-o", str(plan_file)],
        cwd=root,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"plan failed: {done.stderr}")
    plan = json.loads(plan_file.read_text())
    rows = []
    for shard in plan["shards"]:
        k = shard["shard"]
        args = ["--blackbox-shard-plan", str(plan_file), "--blackbox-shard", str(k)]
        real = run_pytest(blackbox, python, root, args + workers_args(shard["workers"]))
        expected = shard["expected_wall_s"]
        rows.append(
            {
                "shard": k,
                "tests": len(shard["tests"]),
                "workers": shard["workers"],
                "duration_s": round(shard["duration_s"], 3),
                "overhead_s": round(shard.get("overhead_s", 0.0), 3),
                "expected_wall_s": round(expected, 3),
                "real_wall_s": round(real, 3),
                "error": round((expected - real) / real, 3),
            }
        )
        print(f"  {label} shard {k}: {shard['workers']} workers, expected {expected:.2f} s, "
              f"real {real:.2f} s", flush=True)  # fmt: skip
    errors = [abs(row["error"]) for row in rows]
    return {
        "shards": rows,
        "mean_abs_error": round(statistics.mean(errors), 3),
        "worst_error": max((row["error"] for row in rows), key=abs),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--history", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--blackbox", default=str(REPO / "build" / "bin" / "blackbox"))
    parser.add_argument("--baseline-blackbox", default=None)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="blackbox-plan-accuracy-"))
    cpus = os.cpu_count() or 1
    result = {"cpu_count": cpus, "load_average": {"before": os.getloadavg()}}
    try:
        binaries = {"after": args.blackbox}
        if args.baseline_blackbox:
            binaries["before"] = args.baseline_blackbox
        for name, blackbox in binaries.items():
            root = work / name
            root.mkdir()
            result["suite"] = make_suite(root, args.tests, 0, args.seconds)
            history = [
                round(run_pytest(blackbox, args.python, root, workers_args(cpus)), 2)
                for _ in range(args.history)
            ]
            print(f"{name}: recorded {args.history} runs of the whole suite: {history} s")
            rounds = [
                plan_and_run(blackbox, args.python, root, args.shards, f"{name}-{r + 1}")
                for r in range(args.rounds)
            ]
            result[name] = {"history_runs_s": history, "rounds": rounds}
    finally:
        result["load_average"]["after"] = os.getloadavg()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
