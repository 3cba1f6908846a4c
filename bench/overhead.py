"""Recording overhead: N trivial tests bare and under `blackbox run`, serial and with xdist.

    /usr/bin/python3 bench/overhead.py [--tests 10000] [--pairs 9] [--modes serial,xdist]
        [--workers 2] [--blackbox build/bin/blackbox] [--baseline-blackbox OLD/bin/blackbox]
        [--max-plugin-us 25] [--parts whole,inside,syscalls,python,rss] [--out overhead.json]

Reports (and writes as JSON with --out), for each mode (serial; `-n W` against bare `-n W`):
- the whole run: bare and recorded (`blackbox run` with every default) in alternating pairs;
  the median of the pairs' ratios recorded / bare and their spread (min-max): on a shared
  machine single pairs spread by ±10%, so this is reported, not judged;
- the plugin's own time per test, timed inside pytest around its hooks (selftime_plugin.py),
  per hook, the median of --inside-runs runs: the firm figure. pytest's own `item.location`,
  which the recorder reads at collection and pytest then reuses, is not counted in serial runs;
  under xdist a worker collects every item but runs only its share, and the location of the
  items it does not run is counted. The timer reads the thread's CPU time (system calls
  included; not the waits for the processor or, in an xdist worker, for the GIL that execnet's
  thread takes while the recorder is in a system call); its own cost is calibrated and
  subtracted. Beside it, not counted: pluggy's dispatch of the recorder's hook implementations
  (calibrated);
- one more serial run with the recorder's system calls timed: their count and cost per test;
- serial runs with the system calls stubbed out (nosys_plugin.py): the plugin's Python alone,
  the part its code decides (the kernel's share varies with the machine's load);
- pytest's peak RSS bare and with the plugin recording (no supervisor), median of 3 (target:
  under 2 MiB more); the recorder resets the kernel's mark at every test, so its runs read
  the mark before each reset (peak_plugin.py);
- `blackbox show` time on the recorded run.
With --baseline-blackbox an older build is measured beside it in the same alternation (its
whole-run ratio and its plugin time), for before/after figures under the same load.

Exits 1 when the plugin's time per test exceeds --max-plugin-us (default 25) in any mode, so
that a change that slows recording is noticed by whoever runs the benches. Run it with the
interpreter that has pytest (and pytest-xdist for the xdist mode). Not part of CI.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make_suite(root: Path, tests: int) -> None:
    per_file = 100
    for start in range(0, tests, per_file):
        count = min(per_file, tests - start)
        body = "".join(f"def test_{start + i}():\n    pass\n\n\n" for i in range(count))
        (root / f"test_trivial_{start // per_file:04d}.py").write_text(body)


def clean_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BLACKBOX_", "PYTEST_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compile once, as users do
    env.pop("PYTHONPATH", None)
    return env


def timed(argv, cwd, env) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def peak_rss_kib(argv, cwd, env) -> int:
    """ru_maxrss of the child (and its descendants) in KiB."""
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return usage.ru_maxrss


def plugin_peak_rss_kib(root: Path, blackbox: Path, pytest_argv: list) -> int:
    """The peak RSS of pytest recording with the plugin (no supervisor), in KiB: the recorder
    resets the kernel's mark at every test, so peak_plugin.py reads it before each reset."""
    out = Path(tempfile.mkdtemp(dir=root)) / "peak"
    env = clean_env()
    env.update(
        {
            "PYTHONPATH": f"{plugin_dir_of(blackbox)}:{REPO / 'bench'}",
            "PYTEST_PLUGINS": "peak_plugin,pytest_blackbox.plugin",
            "BLACKBOX_RUN_DIR": str(out.parent / "run"),
            "BLACKBOX_PEAK_OUT": str(out),
        }
    )
    final = peak_rss_kib(pytest_argv, root, env)
    try:
        return max(final, int(out.read_text()))
    except (OSError, ValueError):
        return final


def plugin_dir_of(blackbox: Path) -> Path:
    return blackbox.parent.parent / "share" / "blackbox" / "python"


def spread(values) -> dict:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "all": [round(v, 4) for v in values],
    }


def whole_runs(root: Path, builds: dict, pytest_argv: list, pairs: int) -> dict:
    """Alternating runs, bare and under each build's `blackbox run`: ratios per pair."""
    env = clean_env()
    argvs = {"bare": pytest_argv}
    for name, blackbox in builds.items():
        argvs[name] = [str(blackbox), "run", "--keep-runs", "2", "--no-pty", "--"] + pytest_argv
    for argv in argvs.values():
        timed(argv, root, env)  # warm the page cache and the bytecode caches
    times = {name: [] for name in argvs}
    order = list(argvs)
    for pair in range(pairs):
        rotated = order[pair % len(order) :] + order[: pair % len(order)]
        for name in rotated:
            times[name].append(timed(argvs[name], root, env))
        shown = ", ".join(f"{name} {times[name][-1]:.2f} s" for name in order)
        print(f"    pair {pair + 1}: {shown}", flush=True)
    figures = {"bare_s": spread(times["bare"])}
    for name in builds:
        ratios = [r / b for r, b in zip(times[name], times["bare"])]
        figures[name] = {"recorded_s": spread(times[name]), "ratio": spread(ratios)}
    return figures


def inside_run(
    root: Path, blackbox: Path, pytest_argv: list, syscalls: bool = False, python: bool = False
) -> dict:
    """One run with the plugin (no supervisor) and the timer: the figures of every process;
    with `python`, the recorder's system calls stubbed out (nosys_plugin.py)."""
    out = Path(tempfile.mkdtemp(dir=root))
    env = clean_env()
    env.update(
        {
            "BLACKBOX_SELFTIME_OUT": str(out),
            "BLACKBOX_RUN_DIR": str(Path(tempfile.mkdtemp(dir=root)) / "run"),
            "PYTHONPATH": f"{plugin_dir_of(blackbox)}:{REPO / 'bench'}",
            "PYTEST_PLUGINS": "pytest_blackbox.plugin,selftime_plugin",
        }
    )
    if python:
        env["PYTEST_PLUGINS"] = "nosys_plugin," + env["PYTEST_PLUGINS"]
    if syscalls:
        env["BLACKBOX_SELFTIME_SYSCALLS"] = "1"
    subprocess.run(pytest_argv, cwd=root, env=env, stdout=subprocess.DEVNULL, check=False)
    processes = [json.loads(path.read_text()) for path in sorted(out.glob("*.json"))]
    tests = sum(p["tests"] for p in processes)
    by_hook = {}
    calls = {}
    for process in processes:
        for hook, spent in process["by_hook"].items():
            by_hook[hook] = by_hook.get(hook, 0) + spent
            calls[hook] = calls.get(hook, 0) + process["calls"].get(hook, 0)
    # A worker's location of the items it did not run: pytest would not have computed it.
    location_added = sum(
        p["location_ns"] * (p["collected"] - p["tests"]) / p["collected"]
        for p in processes
        if not p["controller"] and p["collected"]
    )
    location = sum(p["location_ns"] for p in processes)
    per_test = max(tests, 1) * 1000.0
    dispatch = statistics.median(p["dispatch_ns"] for p in processes)
    wrapper = statistics.median(p["wrapper_ns"] for p in processes)
    hook_calls = sum(calls.values())
    timer = wrapper * hook_calls  # the timer's own share of by_hook, calibrated
    figures = {
        "tests": tests,
        "plugin_us_per_test": (sum(by_hook.values()) - timer + location_added) / per_test,
        "by_hook_us_per_test": {h: round(v / per_test, 2) for h, v in by_hook.items() if v},
        "hook_calls_per_test": round(hook_calls / max(tests, 1), 2),
        "location_us_per_test_moved": (location - location_added) / per_test,
        "location_us_per_test_added": location_added / per_test,
        "timer_us_per_test_subtracted": timer / per_test,
        "dispatch_us_per_test_not_included": dispatch * hook_calls / per_test,
    }
    if syscalls:
        kinds = {}
        for process in processes:
            for kind, (count, spent) in process["syscalls"].items():
                entry = kinds.setdefault(kind, [0, 0])
                entry[0] += count
                entry[1] += spent
        figures["syscalls"] = {
            kind: {
                "per_test": round(count / max(tests, 1), 2),
                "us_each": round(spent / max(count, 1) / 1000, 2),
                "us_per_test": round(spent / per_test, 2),
            }
            for kind, (count, spent) in kinds.items()
        }
        figures["syscalls_us_per_test"] = sum(
            k["us_per_test"] for k in figures["syscalls"].values()
        )
    return figures


def inside_runs(
    root: Path, builds: dict, pytest_argv: list, runs: int, python: bool = False
) -> dict:
    """--inside-runs alternating runs per build: the median of each figure."""
    results = {name: [] for name in builds}
    for run in range(runs):
        names = list(builds) if run % 2 == 0 else list(builds)[::-1]
        for name in names:
            results[name].append(inside_run(root, builds[name], pytest_argv, python=python))
    figures = {}
    for name, runs_of in results.items():
        hooks = sorted({hook for result in runs_of for hook in result["by_hook_us_per_test"]})
        figures[name] = {
            "plugin_us_per_test": spread([r["plugin_us_per_test"] for r in runs_of]),
            "by_hook_us_per_test": {
                hook: statistics.median(r["by_hook_us_per_test"].get(hook, 0.0) for r in runs_of)
                for hook in hooks
            },
        }
        for key in (
            "hook_calls_per_test",
            "location_us_per_test_moved",
            "location_us_per_test_added",
            "timer_us_per_test_subtracted",
            "dispatch_us_per_test_not_included",
        ):
            figures[name][key] = round(statistics.median(r[key] for r in runs_of), 2)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=10000)
    parser.add_argument("--pairs", type=int, default=9, help="alternating whole-run pairs")
    parser.add_argument("--repeats", type=int, dest="pairs", help=argparse.SUPPRESS)
    parser.add_argument("--inside-runs", type=int, default=3)
    parser.add_argument("--modes", default="serial,xdist", help="serial, xdist or both")
    parser.add_argument("--workers", type=int, default=2, help="xdist's -n")
    parser.add_argument("--blackbox", default=str(REPO / "build" / "bin" / "blackbox"))
    parser.add_argument("--baseline-blackbox", help="an older build, measured beside it")
    parser.add_argument("--max-plugin-us", type=float, default=25.0)
    parser.add_argument(
        "--parts",
        default="whole,inside,syscalls,python,rss",
        help="what to measure (comma-separated): whole runs, the plugin's time inside pytest, "
        "its system calls, its Python alone (system calls stubbed out), the peak RSS",
    )
    parser.add_argument("--out", help="write the figures as JSON here")
    args = parser.parse_args()

    builds = {"recorded": Path(args.blackbox).resolve()}
    if args.baseline_blackbox:
        builds["baseline"] = Path(args.baseline_blackbox).resolve()
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    parts = {part.strip() for part in args.parts.split(",")}
    pytest_argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    argv_of = {"serial": pytest_argv, "xdist": pytest_argv + ["-n", str(args.workers)]}
    figures = {"tests": args.tests, "pairs": args.pairs, "modes": {}}
    with tempfile.TemporaryDirectory(prefix="blackbox-bench-") as tmp:
        root = Path(tmp)
        make_suite(root, args.tests)
        try:
            figures["load_average_before"] = os.getloadavg()
        except OSError:
            pass
        for mode in modes:
            entry = figures["modes"][mode] = {}
            if "whole" in parts:
                print(f"{mode}: whole runs", flush=True)
                entry["whole_run"] = whole_runs(root, builds, argv_of[mode], args.pairs)
            if "inside" in parts:
                print(f"{mode}: the plugin's time inside pytest", flush=True)
                entry["inside"] = inside_runs(root, builds, argv_of[mode], args.inside_runs)

        if "syscalls" in parts:
            print("serial: system calls", flush=True)
            figures["syscalls"] = {}
            for name, blackbox in builds.items():
                run = inside_run(root, blackbox, pytest_argv, syscalls=True)
                figures["syscalls"][name] = run["syscalls"]
                figures["syscalls"][name]["all, µs per test"] = run["syscalls_us_per_test"]
        if "python" in parts:
            print("serial: the plugin's Python alone (system calls stubbed out)", flush=True)
            figures["python_only"] = inside_runs(
                root, builds, pytest_argv, args.inside_runs, python=True
            )

        # Peak memory of pytest, bare and with the plugin recording (no supervisor).
        env = clean_env()
        if "rss" in parts:
            rss: dict = {"bare": []}
            for name in builds:
                rss[name] = []
            for _ in range(3):
                rss["bare"].append(peak_rss_kib(pytest_argv, root, env))
                for name, blackbox in builds.items():
                    rss[name].append(plugin_peak_rss_kib(root, blackbox, pytest_argv))
            figures["pytest_peak_rss_kib"] = {name: statistics.median(v) for name, v in rss.items()}
            figures["plugin_rss_added_kib"] = {
                name: statistics.median(rss[name]) - statistics.median(rss["bare"])
                for name in builds
            }

        if "whole" in parts:
            show = [timed([str(builds["recorded"]), "show", "--json"], root, env) for _ in range(5)]
            figures["show_json_median_s"] = statistics.median(show)
        try:
            figures["load_average_after"] = os.getloadavg()
        except OSError:
            pass

    print(json.dumps(figures, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    print(summary(figures, args.max_plugin_us))
    over = [
        mode
        for mode, entry in figures["modes"].items()
        if "inside" in entry
        and entry["inside"]["recorded"]["plugin_us_per_test"]["median"] > args.max_plugin_us
    ]
    if over:
        print(f"FAIL: the plugin's time per test exceeds {args.max_plugin_us} µs in: {over}")
        return 1
    return 0


def _inside_line(label: str, inside: dict, limit: float) -> str:
    hooks = ", ".join(
        f"{hook.replace('pytest_', '')} {value:.1f}"
        for hook, value in inside["by_hook_us_per_test"].items()
        if value >= 0.05
    )
    per_test = inside["plugin_us_per_test"]
    return (
        f"{label} plugin {per_test['median']:.1f} µs/test (runs {per_test['min']:.1f}-"
        f"{per_test['max']:.1f}; limit {limit:g})\n       per hook (µs/test): {hooks}"
    )


def summary(figures: dict, limit: float) -> str:
    """The figures in a few lines."""
    lines = []
    for mode, entry in figures["modes"].items():
        for name, whole in entry.get("whole_run", {}).items():
            if name != "bare_s":
                ratio = whole["ratio"]
                lines.append(
                    f"{mode:6s} {name:9s} whole-run ratio {ratio['median']:.3f} "
                    f"(pairs {ratio['min']:.3f}-{ratio['max']:.3f})"
                )
        for name, inside in entry.get("inside", {}).items():
            lines.append(_inside_line(f"{mode:6s} {name:9s}", inside, limit))
    for name, inside in figures.get("python_only", {}).items():
        lines.append(_inside_line(f"python {name:9s}", inside, limit))
    for name, kinds in figures.get("syscalls", {}).items():
        lines.append(f"system calls ({name}): {kinds.get('all, µs per test', 0):.1f} µs per test")
    for name, added in figures.get("plugin_rss_added_kib", {}).items():
        lines.append(f"pytest's peak RSS added by the plugin ({name}): {added} KiB (limit 2048)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
