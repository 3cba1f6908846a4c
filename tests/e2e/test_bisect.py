"""`blackbox bisect` on real suites: the earlier test whose side effect makes a later one crash."""

import json
import re
import shlex
import subprocess

NATIVE = """
    import ctypes

    _buffer = ctypes.create_string_buffer(64)
    ADDRESS = ctypes.addressof(_buffer)  # test 37 sets it to 0, as a bad cache would


    def checksum(address):
        # A C function handed a NULL struct pointer: reading behind the header faults.
        return sum(ctypes.string_at(address + 8, 16))
"""


def write_suite(project, polluter=37, victim=180, count=200, per_module=50):
    """`count` tests over modules of `per_module`; test `polluter` nulls the shared address and
    test `victim` reads through it."""
    project.write("native.py", NATIVE)
    for first in range(1, count + 1, per_module):
        lines = ["import native", ""]
        for n in range(first, first + per_module):
            if n == polluter:
                body = "native.ADDRESS = 0"
            elif n == victim:
                body = "assert native.checksum(native.ADDRESS) == 0"
            else:
                body = f"assert {n} > 0"
            lines += [f"def test_{n:03}():", f"    {body}", "", ""]
        project.write(f"test_{(first - 1) // per_module}.py", "\n".join(lines))


def node(n, per_module=50):
    return f"test_{(n - 1) // per_module}.py::test_{n:03}"


def test_bisect_names_the_polluter_in_a_logarithmic_number_of_reruns(project):
    write_suite(project)
    result = project.run(options=("--no-metrics",))
    assert result.returncode == 128 + 11, result.stdout + result.stderr
    report = project.show()
    assert report["crashes"][0]["nodeid"] == node(180)

    result = project.blackbox("bisect", timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{node(37)} makes {node(180)} crash" in result.stdout, result.stdout
    reruns = int(re.search(r"\((\d+) reruns\)", result.stdout).group(1))
    print(f"bisect: {reruns} reruns for 179 earlier tests")
    assert reruns <= 2 * 8 + 2  # ~2·log2(200) + 2
    assert reruns == len(list((project.latest / "bisect").glob("rerun-*.log")))

    # The printed command reproduces the crash, with pytest's own ordering of the two ids.
    command = result.stdout.strip().splitlines()[-1].strip()
    words = shlex.split(command)
    assert words[:3] == ["blackbox", "run", "--"]
    assert words[-2:] == [node(37), node(180)]
    rerun = subprocess.run(
        [str(project.blackbox_bin), "run", "--no-metrics", "--", *words[3:]],
        cwd=project.root,
        env=project.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 128 + 11, rerun.stdout + rerun.stderr
    assert project.show()["crashes"][0]["nodeid"] == node(180)


def test_a_test_that_crashes_alone_needs_no_search(project):
    write_suite(project, polluter=0, victim=5, count=10, per_module=10)
    project.write("native.py", NATIVE.replace("ADDRESS = ctypes.addressof(_buffer)", "ADDRESS = 0"))
    project.run(options=("--no-metrics",))
    result = project.blackbox("bisect", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "crashes alone" in result.stdout
    assert "(1 reruns)" not in result.stdout


def test_a_run_without_a_crash_is_an_error(project):
    project.write("test_ok.py", "def test_ok():\n    pass\n")
    project.run(options=("--no-metrics",))
    result = project.blackbox("bisect")
    assert result.returncode == 2
    assert "no test crashed" in result.stderr


def test_a_hang_is_bisected_with_reruns_killed_at_the_timeout(project):
    project.write("shared.py", "import threading\n\nLOCK = threading.Lock()\n")
    lines = ["import shared", ""]
    for n in range(1, 11):
        body = {3: "shared.LOCK.acquire()", 8: "shared.LOCK.acquire()"}.get(n, "pass")
        lines += [f"def test_{n:02}():", f"    {body}", "", ""]
    project.write("test_lock.py", "\n".join(lines))
    result = project.run(options=("--no-metrics", "--hang-timeout", "2"))
    assert project.show()["crashes"][0]["cause"] == "hang", result.stdout + result.stderr

    result = project.blackbox("bisect", "--timeout", "4", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_lock.py::test_03 makes test_lock.py::test_08 crash" in result.stdout
    assert "hung (killed after 4 s)" in result.stdout
    assert "no crash" in result.stdout  # the halves without test 3 finished


def test_a_rerun_that_cannot_start_pytest_is_an_error_not_no_crash(project, tmp_path):
    write_suite(project, polluter=3, victim=8, count=10, per_module=10)
    project.run(options=("--no-metrics",))
    # The interpreter of the recorded command has lost pytest since (another virtualenv).
    python = tmp_path / "bin" / "python3"
    python.parent.mkdir()
    python.write_text('#!/bin/sh\necho "$0: No module named pytest" >&2\nexit 1\n')
    python.chmod(0o755)
    run_json = project.latest / "run.json"
    run = json.loads(run_json.read_text())
    run["command"][0] = str(python)
    run_json.write_text(json.dumps(run))

    result = project.blackbox("bisect", timeout=120)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "no crash" not in result.stdout
    assert "rerun 1 could not start pytest (exit code 1)" in result.stderr, result.stderr
    assert "No module named pytest" in result.stderr
