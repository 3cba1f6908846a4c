"""--max-restarts: a resumed suite leaves other plugins' outputs as one uninterrupted run would
(pytest-cov's data and reports hold every attempt's lines), or says what it cannot make whole
(pytest-benchmark's saved runs)."""

import xml.etree.ElementTree as ElementTree

import pytest

PACKAGE = """
def f0():
    return "only attempt 1 runs this line"


def f1():
    return "never run"


def f2():
    return "only attempt 2 runs this line"
"""

SUITE = """
import os
import signal

import pkg


def test_f0():
    assert pkg.f0()


def test_dies():
    os.kill(os.getpid(), signal.SIGKILL)


def test_f2():
    assert pkg.f2()
"""


def covered_lines(project):
    """(executed, missing) line numbers of pkg/__init__.py in pytest-cov's XML report."""
    root = ElementTree.parse(project.root / "cov.xml").getroot()
    (entry,) = [c for c in root.iter("class") if c.get("filename").endswith("__init__.py")]
    lines = [(int(line.get("number")), int(line.get("hits"))) for line in entry.iter("line")]
    return {n for n, hits in lines if hits}, {n for n, hits in lines if not hits}


def test_coverage_holds_the_lines_of_every_attempt(project):
    pytest.importorskip("pytest_cov")
    project.write("pkg/__init__.py", PACKAGE)
    project.write("test_cov.py", SUITE)
    result = project.run(
        "test_cov.py",
        "--cov=pkg",
        "--cov-report=xml:cov.xml",
        options=["--max-restarts", "2"],
    )
    assert "restarting" in result.stderr
    assert result.returncode == 1, result.stderr  # the suite completed, with a crash
    executed, missing = covered_lines(project)
    assert 3 in executed  # f0's body: attempt 1 ran it, and died afterwards
    assert 11 in executed  # f2's body: attempt 2 ran it
    assert missing == {7}  # f1's body, as in one uninterrupted run
    assert not list(project.root.glob(".coverage.*"))  # combined into .coverage
    assert (project.root / ".coverage").is_file()


def test_a_restarted_attempt_says_its_benchmarks_are_its_own(project):
    pytest.importorskip("pytest_benchmark")
    project.write(
        "test_bench.py",
        """
        import os
        import signal


        def test_bench(benchmark):
            benchmark.pedantic(sum, args=([1, 2],), rounds=1, iterations=1)


        def test_dies():
            os.kill(os.getpid(), signal.SIGKILL)


        def test_after():
            pass
        """,
    )
    result = project.run(
        "test_bench.py",
        "--benchmark-autosave",
        "--benchmark-storage=file://./bench",
        options=["--max-restarts", "2"],
    )
    assert result.returncode == 1, result.stderr
    output = result.stdout + result.stderr
    assert output.count("pytest-benchmark saves only this attempt's benchmarks") == 1
