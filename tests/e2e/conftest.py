"""Fixtures for the end-to-end tests: they run the real `blackbox` binary on small real suites."""

import base64
import gzip
import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Another pytest than the interpreter's own (scripts/test-pytest-versions): a folder that holds
# it and the pluggy it is paired with, put first on every recorded command's PYTHONPATH, as a
# user's own; and its version, which the recorded pytest must report.
PYTEST_UNDER_TEST_PATH = os.environ.get("BLACKBOX_TEST_PYTEST_PATH")
PYTEST_UNDER_TEST_VERSION = os.environ.get("BLACKBOX_TEST_PYTEST_VERSION") or pytest.__version__


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "versions: a core crash scenario, also run against every supported pytest release "
        "(scripts/test-pytest-versions)",
    )


@pytest.fixture(scope="session")
def blackbox_bin():
    """Path of the binary under test ($BLACKBOX_BIN, else build/bin/blackbox)."""
    path = Path(os.environ.get("BLACKBOX_BIN", REPO / "build" / "bin" / "blackbox"))
    if not path.is_file():
        pytest.fail(f"blackbox binary not found at {path}: build it first (scripts/build)")
    return path


class Project:
    """A throwaway test project and the means to record it."""

    def __init__(self, root, blackbox_bin):
        self.root = root
        self.blackbox_bin = blackbox_bin

    def write(self, relative, text):
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    def env(self, extra=None):
        env = dict(os.environ)
        for key in list(env):
            if key.startswith("BLACKBOX_") or key.startswith("PYTEST_"):
                del env[key]
        env.pop("PYTHONPATH", None)
        env["NO_COLOR"] = "1"
        env.update(extra or {})
        if PYTEST_UNDER_TEST_PATH:
            user_path = [env.get("PYTHONPATH"), PYTEST_UNDER_TEST_PATH]
            env["PYTHONPATH"] = os.pathsep.join(entry for entry in user_path if entry)
            # The machine's other plugins were made for its own pytest and may not load on
            # this one: only the folder's pytest-xdist is loaded, by name.
            env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
            if (Path(PYTEST_UNDER_TEST_PATH) / "xdist").is_dir():
                plugins = [env.get("PYTEST_PLUGINS"), "xdist.plugin"]
                env["PYTEST_PLUGINS"] = ",".join(entry for entry in plugins if entry)
        return env

    def pytest_command(self, *args):
        extra = []
        if "no:xdist" in args:
            # pytest-rerunfailures implements xdist's hooks whenever xdist is installed: with
            # xdist disabled, pytest refuses it ("unknown hook 'pytest_configure_node'").
            extra = ["-p", "no:rerunfailures"]
        return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *extra, *args]

    def run(self, *pytest_args, options=(), command=None, env=None, timeout=180, **kwargs):
        """`blackbox run OPTIONS -- python -m pytest ARGS` in the project; a CompletedProcess."""
        argv = [str(self.blackbox_bin), "run", *options, "--"]
        argv += command if command is not None else self.pytest_command(*pytest_args)
        return subprocess.run(
            argv,
            cwd=self.root,
            env=self.env(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            **kwargs,
        )

    def blackbox(self, *args, timeout=60):
        return subprocess.run(
            [str(self.blackbox_bin), *args],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def show(self, run_dir=None):
        """`blackbox show --json` of the latest run (or RUN_DIR), parsed."""
        args = ["show", "--json"] + ([str(run_dir)] if run_dir else [])
        result = self.blackbox(*args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    @property
    def latest(self):
        return (self.root / ".blackbox" / "latest").resolve()


@pytest.fixture
def project(tmp_path, blackbox_bin):
    """An empty project directory."""
    root = tmp_path / "project"
    root.mkdir()
    return Project(root, blackbox_bin)


SCHEMA = json.loads((REPO / "docs" / "formats" / "report.schema.json").read_text())


def load_report(path):
    """A JSON report, validated against its documented schema."""
    import jsonschema

    report = json.loads(Path(path).read_text())
    jsonschema.validate(report, SCHEMA)
    return report


def report_data(path):
    """The data block of a report.html, decoded (base64, gzip, JSON) as the page does."""
    page = Path(path).read_text()
    match = re.search(
        r'<script type="application/octet-stream" id="blackbox-data"[^>]*>(.*?)<', page
    )
    assert match, "no data block in the page"
    return json.loads(gzip.decompress(base64.b64decode(match.group(1))))


# Started in a fresh, small interpreter: a process's peak resident memory (ru_maxrss) counts
# what it was before exec, and a child forked from this test process (which grows over the
# suite to tens of MiB) would carry that image in its peak. Forked from this launcher, the
# floor under the measured peak is the launcher's own few MiB.
_MEASURER = r"""
import os, signal, sys, time
out, guard, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
pid = os.fork()
if pid == 0:
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
deadline = time.monotonic() + guard
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    if time.monotonic() > deadline:
        os.kill(pid, signal.SIGKILL)
        done, status, usage = os.wait4(pid, 0)
        break
    time.sleep(0.02)
with open(out, "w") as result:
    result.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss * 1024}")
"""


class Measured:
    """A finished process: its exit status, output and peak resident memory in bytes."""

    def __init__(self, returncode, stdout, stderr, peak):
        self.returncode, self.stdout, self.stderr, self.peak = returncode, stdout, stderr, peak


def run_measured(argv, cwd, env, guard=120):
    """Runs `argv` (its first item a path), measuring its own peak resident memory. `guard`
    (seconds) only ends a process that would otherwise hang the suite (SIGKILL)."""
    out = Path(cwd) / ".measured"
    done = subprocess.run(
        [sys.executable, "-S", "-c", _MEASURER, str(out), str(guard), *map(str, argv)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=guard + 60,
    )
    assert done.returncode == 0, done.stderr
    status, peak = (int(field) for field in out.read_text().split())
    out.unlink()
    return Measured(status, done.stdout, done.stderr, peak)


def only_crash(report):
    """The single crash of a post-mortem."""
    assert len(report["crashes"]) == 1, json.dumps(report["crashes"], indent=2)
    return report["crashes"][0]


def wait_for(predicate, timeout=30):
    """The first true value of predicate(), asked every 10 ms; fails the test after timeout s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("timed out")
