"""Parity with pytest-monitor: one real pytest run per option and marker under `blackbox run`,
checked in the TEST_METRICS rows of the metrics database (docs/metrics.md,
docs/formats/metrics-db.md)."""

import json
import sqlite3
import subprocess

import pytest

SUITE = """
import time

import pytest

pytest_monitor_component = "component_A"


def test_passes():
    time.sleep(0.05)


def test_fails():
    assert False


def test_skips():
    pytest.skip("not here")


@pytest.mark.parametrize(("asint", "asstr"), [(10, "10"), (100, "100")])
def test_p(asint, asstr):
    assert asint == int(asstr)


def test_hungry():
    data = b"x" * (100 << 20)
    del data


class TestGroup:
    def test_in_class(self):
        pass
"""

MARKED = """
import pytest

pytestmark = [pytest.mark.monitor_skip_test]


def test_module_says_skip():
    pass


@pytest.mark.monitor_test
def test_brought_back():
    pass


@pytest.mark.monitor_test_if(True)
def test_brought_back_if_true():
    pass


@pytest.mark.monitor_test_if(False)
def test_not_brought_back_if_false():
    pass
"""

SKIPPING = """
import pytest


def test_plain():
    pass


@pytest.mark.monitor_skip_test
def test_skipped():
    pass


@pytest.mark.monitor_skip_test_if(True)
def test_skipped_if_true():
    pass


@pytest.mark.monitor_skip_test_if(False)
def test_kept_if_false():
    pass
"""


@pytest.fixture(scope="module")
def has_store(blackbox_bin):
    """Skip when this blackbox has no metrics store yet (no `ingest` subcommand)."""
    result = subprocess.run([str(blackbox_bin), "--help"], capture_output=True, text=True)
    if not any(line.split()[:1] == ["ingest"] for line in result.stdout.splitlines()):
        pytest.skip("this blackbox has no metrics database (no `blackbox ingest`)")


@pytest.fixture
def suite(project, has_store):
    project.write("tests/__init__.py", "")
    project.write("tests/test_suite.py", SUITE)
    return project


def metrics(project, *pytest_args):
    """Run the suite under `blackbox run`; TEST_METRICS rows of that run as dicts."""
    project.run(*pytest_args)
    database = project.root / ".blackbox" / "metrics.db"
    assert database.is_file(), "blackbox run wrote no metrics database"
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        (session,) = connection.execute(
            "SELECT SESSION_H FROM TEST_SESSIONS ORDER BY RUN_DATE DESC LIMIT 1"
        ).fetchone()
        rows = connection.execute("SELECT * FROM TEST_METRICS WHERE SESSION_H = ?", (session,))
        return [dict(row) for row in rows]


def session_row(project):
    with sqlite3.connect(project.root / ".blackbox" / "metrics.db") as connection:
        connection.row_factory = sqlite3.Row
        row = connection.execute(
            "SELECT * FROM TEST_SESSIONS ORDER BY RUN_DATE DESC LIMIT 1"
        ).fetchone()
        return dict(row)


def by_variant(rows, kind="function"):
    return {row["ITEM_VARIANT"]: row for row in rows if row["KIND"] == kind}


def test_every_test_has_a_function_row_with_its_outcome(suite):
    rows = by_variant(metrics(suite))
    assert sorted(rows) == [
        "test_fails",
        "test_hungry",
        "test_in_class",
        "test_p[10-10]",
        "test_p[100-100]",
        "test_passes",
        "test_skips",
    ]
    assert rows["test_fails"]["OUTCOME"] == "failed"
    assert rows["test_skips"]["OUTCOME"] == "skipped"
    passed = rows["test_passes"]
    assert passed["OUTCOME"] == "passed"
    assert passed["ITEM_PATH"] == "tests.test_suite" and passed["ITEM"] == "test_passes"
    assert passed["ITEM_FS_LOC"] == "tests/test_suite.py"
    assert passed["COMPONENT"] == "component_A"
    assert passed["TOTAL_TIME"] >= 0.05
    assert rows["test_p[10-10]"]["ITEM"] == "test_p"
    # pytest-monitor's own rows are the passing ones.
    assert len([r for r in rows.values() if r["OUTCOME"] == "passed"]) == 5


def test_mem_usage_is_the_tests_peak_in_megabytes(suite):
    rows = by_variant(metrics(suite))
    assert rows["test_hungry"]["MEM_USAGE"] >= 100
    assert rows["test_hungry"]["MEM_USAGE"] > rows["test_passes"]["MEM_USAGE"] + 90


def test_no_monitor_stores_no_metrics(suite):
    assert metrics(suite, "--blackbox-no-monitor") == []


def test_restrict_scope_to_module_class_session(suite):
    rows = metrics(suite, "--blackbox-restrict-scope-to", "module,class,session")
    kinds = sorted(row["KIND"] for row in rows)
    assert kinds == ["class", "module", "session"]
    (module,) = [row for row in rows if row["KIND"] == "module"]
    assert module["ITEM_PATH"].endswith("test_suite") or module["ITEM"] == "test_suite"
    assert module["MEM_USAGE"] >= 100  # the largest of its tests' peaks


def test_restrict_scope_to_function_and_module(suite):
    rows = metrics(suite, "--blackbox-restrict-scope-to", "function,module")
    assert sorted({row["KIND"] for row in rows}) == ["function", "module"]


def test_parametrization_explicit(suite):
    rows = by_variant(metrics(suite, "--blackbox-parametrization-explicit"))
    assert "test_p[asint_10-asstr_10]" in rows and "test_p[asint_100-asstr_100]" in rows
    assert rows["test_p[asint_10-asstr_10]"]["ITEM"] == "test_p"


def test_force_component(suite):
    rows = metrics(suite, "--blackbox-force-component", "PROJECT_A")
    assert {row["COMPONENT"] for row in rows} == {"PROJECT_A"}


def test_component_prefix(suite):
    rows = metrics(suite, "--blackbox-component-prefix", "PROJECT_A")
    assert {row["COMPONENT"] for row in rows} == {"PROJECT_A.component_A"}


def test_description_and_tags(suite):
    args = ("--blackbox-description", "nightly", "--blackbox-tag", "numpy=1.17")
    metrics(suite, *args, "--blackbox-tag", "pandas=1.0.1")
    description = json.loads(session_row(suite)["RUN_DESCRIPTION"])
    # As pytest-monitor's code writes it (session.py), not its documentation's "msg".
    assert description["description"] == "nightly" and "msg" not in description
    assert description["numpy"] == "1.17" and description["pandas"] == "1.0.1"


def test_monitor_test_markers_under_a_module_skip(project, has_store):
    project.write("test_marked.py", MARKED)
    rows = by_variant(metrics(project, "--strict-markers"))
    assert sorted(rows) == ["test_brought_back", "test_brought_back_if_true"]


def test_monitor_skip_test_markers(project, has_store):
    project.write("test_skipping.py", SKIPPING)
    rows = by_variant(metrics(project, "--strict-markers"))
    assert sorted(rows) == ["test_kept_if_false", "test_plain"]
    with sqlite3.connect(project.root / ".blackbox" / "metrics.db") as connection:
        excluded = connection.execute(
            "SELECT nodeid FROM blackbox_tests WHERE monitored = 0 ORDER BY nodeid"
        ).fetchall()
    assert [row[0] for row in excluded] == [
        "test_skipping.py::test_skipped",
        "test_skipping.py::test_skipped_if_true",
    ]


def test_cpu_usage_of_sub_millisecond_tests_stays_within_one_core(project, has_store):
    """CPU_USAGE divides the CPU times by the wall time they were taken over: a single-threaded
    test reads at most one core (100), however short. Divided by the phases' sum, which leaves
    out what pytest runs between them, tests of a few hundred microseconds read 140-210."""
    project.write(
        "test_tiny.py",
        "import pytest\n\n@pytest.mark.parametrize('i', range(200))\n"
        "def test_tiny(i):\n    assert i >= 0\n",
    )
    rows = [row for row in metrics(project) if row["KIND"] == "function"]
    assert len(rows) == 200
    usages = [row["CPU_USAGE"] for row in rows]
    assert all(usage is not None and 0 <= usage <= 105 for usage in usages), max(usages)


def test_the_context_is_pytest_monitors_own(suite):
    """EXECUTION_CONTEXTS' row and hash are what pytest-monitor's client computes on this
    machine (its sys_utils.py, with the facts the plugin read as it reads them)."""
    import hashlib
    import platform
    import socket
    import sys

    metrics(suite)
    with sqlite3.connect(suite.root / ".blackbox" / "metrics.db") as connection:
        connection.row_factory = sqlite3.Row
        row = dict(connection.execute("SELECT * FROM EXECUTION_CONTEXTS").fetchone())
    assert row["MACHINE_NODE"] == socket.getfqdn()
    assert row["CPU_TYPE"] == platform.processor()
    assert row["PYTHON_INFO"] == sys.version
    assert row["SYSTEM_INFO"] == f"{platform.system()} - {platform.release()}"
    journal_start = json.loads(
        next((suite.root / ".blackbox" / "runs").glob("*/journal/*-main-*.jsonl"))
        .read_text()
        .splitlines()[0]
    )
    frequency = journal_start["pytest_monitor"].get("cpu_frequency", "0.0")
    expected = hashlib.md5(
        "".join(
            str(value)
            for value in (
                row["CPU_COUNT"],
                frequency,
                row["CPU_TYPE"],
                row["RAM_TOTAL_MB"],
                socket.getfqdn(),
                platform.machine(),
                platform.architecture()[0],
                row["SYSTEM_INFO"],
                sys.version,
            )
        ).encode()
    ).hexdigest()
    assert row["ENV_H"] == expected


def test_ci_fields_are_written_as_pytest_monitors_code_writes_them(suite):
    """On GitLab its collect_ci_info() writes the job's name as the branch, the pipeline as the
    build, and `gitlabci` (not our context's `gitlab-ci`)."""
    suite.run(env={"CI_JOB_NAME": "unit", "CI_PIPELINE_ID": "42", "GITLAB_CI": "true"})
    description = json.loads(session_row(suite)["RUN_DESCRIPTION"])
    assert description == {
        "pipeline_branch": "unit",
        "pipeline_build_no": "42",
        "__ci__": "gitlabci",
    }
