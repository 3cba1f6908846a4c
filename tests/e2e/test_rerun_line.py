"""A crash's re-run line keeps the options that change how the test runs (plugins, ini
overrides, warnings filters, coverage, timeouts) and leaves out the selection and the reports."""

import sys

import pytest

SUITE = """
import os
import signal

def test_ok():
    pass

def test_dies():
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_rerun_line_keeps_how_the_test_ran(project):
    pytest.importorskip("pytest_cov")
    pytest.importorskip("pytest_timeout")
    project.write("test_r.py", SUITE)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-o",
        "console_output_style=classic",
        "-W",
        "ignore::DeprecationWarning",
        "--timeout=60",
        "--cov=.",
        "--cov-report=term",
        "-k",
        "ok or dies",
        "--junitxml",
        "j.xml",
        "-x",
        "test_r.py",
    ]
    result = project.run(command=command)
    assert result.returncode == 137, result.stderr
    expected = (
        f"blackbox run -- {sys.executable} -m pytest -p no:cacheprovider -o "
        "console_output_style=classic -W ignore::DeprecationWarning --timeout=60 --cov=. "
        "test_r.py::test_dies"
    )
    assert f"re-run    {expected}" in result.stderr
    (crash,) = project.show()["crashes"]
    assert crash["rerun"] == expected
