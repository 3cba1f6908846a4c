"""Recording overhead: N trivial tests bare and under `blackbox run`, alternating, medians.

    /usr/bin/python3 bench/overhead.py [--tests 10000] [--repeats 7] [--blackbox build/bin/blackbox]

Reports (and writes as JSON with --out):
- the ratio of the median wall times, recorded / bare (target <= 1.05);
- the plugin's own cost per test in microseconds, timed inside pytest around its hooks
  (the stable figure on a noisy machine);
- pytest's peak RSS bare and with the plugin recording (target: under 2 MiB more);
- `blackbox show` time on the recorded run.
Run it with the interpreter that has pytest. Not part of CI.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--blackbox", default=str(REPO / "build" / "bin" / "blackbox"))
    parser.add_argument("--out", help="write the figures as JSON here")
    args = parser.parse_args()

    blackbox = Path(args.blackbox).resolve()
    plugin_dir = blackbox.parent.parent / "share" / "blackbox" / "python"
    with tempfile.TemporaryDirectory(prefix="blackbox-bench-") as tmp:
        root = Path(tmp)
        make_suite(root, args.tests)
        env = clean_env()
        pytest_argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        recorded_argv = [str(blackbox), "run", "--keep-runs", "2", "--no-pty", "--"] + pytest_argv
        timed(pytest_argv, root, env)  # warm the page cache and the bytecode caches
        timed(recorded_argv, root, env)

        bare, recorded = [], []
        for repeat in range(args.repeats):
            pair = [("bare", pytest_argv), ("recorded", recorded_argv)]
            if repeat % 2:
                pair.reverse()
            for name, argv in pair:
                (bare if name == "bare" else recorded).append(timed(argv, root, env))
            print(f"  repeat {repeat + 1}: bare {bare[-1]:.2f} s, recorded {recorded[-1]:.2f} s")

        # The plugin's own cost, timed inside pytest around its hooks.
        selftime_out = root / "selftime.json"
        inside_env = dict(env)
        inside_env.update(
            {
                "BLACKBOX_SELFTIME_OUT": str(selftime_out),
                "PYTHONPATH": f"{plugin_dir}:{REPO / 'bench'}",
                "PYTEST_PLUGINS": "pytest_blackbox.plugin,selftime_plugin",
            }
        )
        per_test_us = []
        for _ in range(3):
            inside_env["BLACKBOX_RUN_DIR"] = tempfile.mkdtemp(dir=tmp)
            subprocess.run(
                pytest_argv, cwd=root, env=inside_env, stdout=subprocess.DEVNULL, check=False
            )
            figures = json.loads(selftime_out.read_text())
            per_test_us.append(figures["total_ns"] / 1000 / max(figures["tests"], 1))

        # Peak memory of pytest, bare and with the plugin recording (no supervisor).
        plugin_env = dict(env)
        plugin_env.update(
            {"PYTHONPATH": str(plugin_dir), "PYTEST_PLUGINS": "pytest_blackbox.plugin"}
        )
        rss_bare, rss_plugin = [], []
        for _ in range(3):
            rss_bare.append(peak_rss_kib(pytest_argv, root, env))
            plugin_env["BLACKBOX_RUN_DIR"] = tempfile.mkdtemp(dir=tmp)
            rss_plugin.append(peak_rss_kib(pytest_argv, root, plugin_env))

        show = []
        for _ in range(5):
            show.append(timed([str(blackbox), "show", "--json"], root, env))

    figures = {
        "tests": args.tests,
        "repeats": args.repeats,
        "bare_median_s": statistics.median(bare),
        "recorded_median_s": statistics.median(recorded),
        "ratio": statistics.median(recorded) / statistics.median(bare),
        "plugin_us_per_test_inside_pytest": statistics.median(per_test_us),
        "bare_us_per_test": statistics.median(bare) / args.tests * 1e6,
        "pytest_peak_rss_bare_kib": statistics.median(rss_bare),
        "pytest_peak_rss_plugin_kib": statistics.median(rss_plugin),
        "plugin_rss_added_kib": statistics.median(rss_plugin) - statistics.median(rss_bare),
        "show_json_median_s": statistics.median(show),
    }
    print(json.dumps(figures, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
