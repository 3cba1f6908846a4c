"""Runs the end-to-end crash scenarios (the tests marked `versions`) against other pytest
releases than the interpreter's own, each with the pluggy (and pytest-xdist) it pairs with,
and prints one line per release: pytest, pluggy, passed/failed/skipped, time.

    scripts/test-pytest-versions --debian          the pytest of Debian 13 and of unstable (CI)
    scripts/test-pytest-versions SOURCE...         releases made from git snapshots of pytest,
                                                   pluggy (and pytest-xdist, execnet)
        --pytest TAG    a pytest release to make (repeatable; default: 7.0's last patch
                        release and the newest of each major version from 8 on)
        --cache DIR     where the trees are kept (default ~/.cache/pytest-blackbox/pytest-versions)
    --plugin-tests      also the plugin's own tests (tests/python, about 4 minutes a release)

Each release runs under this interpreter with its folder first on PYTHONPATH, in the harness
and in every recorded command. Exit status: 1 when a release failed, else 0; a release that
cannot run here (archive unreachable, Python too old for it) is printed as skipped, with why."""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from archive_trees import archive_trees
from snapshot_trees import snapshot_trees

REPO = Path(__file__).resolve().parents[2]
# One release's scenarios take under a minute (its plugin tests about 4): this only ends a run
# that would hang.
RELEASE_TIMEOUT = 900


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pytest-blackbox" / "pytest-versions"


def run_scenarios(tree, blackbox_bin: Path, tests: list) -> tuple:
    """(outcome, seconds, the closing line of pytest's output) of `tests` on one release."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(tree.path), env.get("PYTHONPATH")])),
        BLACKBOX_TEST_PYTEST_PATH=str(tree.path),
        BLACKBOX_TEST_PYTEST_VERSION=tree.pytest,
        BLACKBOX_BIN=str(blackbox_bin),
        # The machine's plugins were made for its own pytest: the harness needs none.
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    argv = [sys.executable, "-m", "pytest", *tests, "-q", "-rs", "-p", "no:cacheprovider"]
    if (tree.path / "xdist").is_dir():
        argv += ["-p", "xdist.plugin"]
    started = time.monotonic()
    try:
        done = subprocess.run(
            argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=RELEASE_TIMEOUT
        )
    except subprocess.TimeoutExpired as expired:
        sys.stdout.write(str(expired.stdout or ""))
        return "FAILED", time.monotonic() - started, f"still running after {RELEASE_TIMEOUT} s"
    seconds = time.monotonic() - started
    lines = done.stdout.strip().splitlines() or ["(no output)"]
    if done.returncode != 0:
        sys.stdout.write(done.stdout + done.stderr)
    return ("passed" if done.returncode == 0 else "FAILED"), seconds, lines[-1]


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/test-pytest-versions",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sources", nargs="*", type=Path)
    parser.add_argument("--debian", action="store_true")
    parser.add_argument("--pytest", action="append", default=[], dest="tags")
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--plugin-tests", action="store_true")
    parser.add_argument(
        "--blackbox",
        type=Path,
        default=Path(os.environ.get("BLACKBOX_BIN", REPO / "build/bin/blackbox")),
    )
    options = parser.parse_args()
    if not options.debian and not options.sources:
        parser.error("give --debian or the snapshots' folders")
    if not options.blackbox.is_file():
        parser.error(f"no blackbox binary at {options.blackbox}: build it first (scripts/build)")
    options.cache.mkdir(parents=True, exist_ok=True)
    trees = archive_trees(options.cache) if options.debian else []
    if options.sources:
        trees += snapshot_trees(options.sources, options.cache, options.tags)
    suites = [("crash scenarios", ["tests/e2e", "-m", "versions"])]
    if options.plugin_tests:
        suites.append(("plugin tests", ["tests/python"]))
    rows, failed = [], False
    for tree in trees:
        if tree.skip:
            rows.append((tree, "skipped", 0.0, tree.skip))
            continue
        for label, tests in suites:
            print(f"==> {label} on pytest {tree.pytest}, pluggy {tree.pluggy}: {tree.name}")
            sys.stdout.flush()
            outcome, seconds, closing = run_scenarios(tree, options.blackbox, tests)
            failed = failed or outcome != "passed"
            rows.append((tree, outcome, seconds, f"{label}: {closing}"))
    print(
        f"\n{'pytest':<8} {'pluggy':<8} {'outcome':<8} {'time':>6}  source: closing line or reason"
    )
    for tree, outcome, seconds, text in rows:
        print(
            f"{tree.pytest:<8} {tree.pluggy:<8} {outcome:<8} {seconds:5.1f}s  {tree.name}: {text}"
        )
    skipped = sum(1 for row in rows if row[1] == "skipped")
    if skipped:
        print(f"pytest versions: {skipped} of {len(rows)} releases SKIPPED (reasons above)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
