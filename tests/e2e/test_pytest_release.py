"""The pytest a recorded suite runs on is the user's: the one first on their PYTHONPATH, kept
in front of the interpreter's own when blackbox injects its plugin. Run against every supported
pytest release by scripts/test-pytest-versions (BLACKBOX_TEST_PYTEST_PATH and
BLACKBOX_TEST_PYTEST_VERSION name the release; without them, the interpreter's own)."""

import json
import os

import pytest

from conftest import PYTEST_UNDER_TEST_PATH, PYTEST_UNDER_TEST_VERSION


@pytest.mark.versions
def test_the_recorded_suite_runs_on_the_users_pytest_with_its_pythonpath_intact(project):
    project.write("lib/mylib.py", "VALUE = 42\n")
    project.write(
        "test_a.py",
        """
        import json
        import os
        import sys

        import pluggy
        import pytest

        import mylib

        def test_where():
            with open("seen.json", "w") as out:
                json.dump(
                    {
                        "pytest": pytest.__version__,
                        "pytest_file": pytest.__file__,
                        "pluggy": pluggy.__version__,
                        "pythonpath": os.environ.get("PYTHONPATH", ""),
                        "sys_path": sys.path,
                    },
                    out,
                )
            assert mylib.VALUE == 42
        """,
    )
    lib = str(project.root / "lib")
    result = project.run("test_a.py", env={"PYTHONPATH": lib})
    assert result.returncode == 0, result.stdout + result.stderr
    seen = json.loads((project.root / "seen.json").read_text())
    assert seen["pytest"] == PYTEST_UNDER_TEST_VERSION
    if PYTEST_UNDER_TEST_PATH:
        assert seen["pytest_file"].startswith(PYTEST_UNDER_TEST_PATH + os.sep)
    # blackbox put its plugin's folder first and kept the user's entries, in their order.
    entries = seen["pythonpath"].split(os.pathsep)
    user = [lib] + ([PYTEST_UNDER_TEST_PATH] if PYTEST_UNDER_TEST_PATH else [])
    assert entries[-len(user) :] == user, entries
    assert [entry for entry in seen["sys_path"] if entry in user] == user
    # The journal names the same pytest.
    (journal,) = (project.latest / "journal").glob("1-main-*.jsonl")
    start = json.loads(journal.read_text().splitlines()[0])
    assert start["ev"] == "start"
    assert start["pytest"] == PYTEST_UNDER_TEST_VERSION
    report = project.show()
    assert report["status"] == "passed"
    assert report["tests"]["passed"] == 1
