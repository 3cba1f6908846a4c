"""Setup and teardown of fixtures broader than a function, as the journal brackets them."""

from pathlib import Path

import pytest
from recording import journal

PLUGIN = ("-p", "pytest_blackbox.plugin")

# Each fixture reads the journal's last record while its own code runs: the bracket must
# already be open then.
LAST_RECORD = """
import json, os
from pathlib import Path

def last_record():
    (path,) = (Path(os.environ["BLACKBOX_RUN_DIR"]) / "journal").iterdir()
    return json.loads(path.read_text().splitlines()[-1])
"""


def fixture_records(records):
    return [
        (r["ev"], r["name"], r["scope"], r["phase"])
        for r in records
        if r["ev"] in ("fixture_begin", "fixture_end")
    ]


def test_broad_fixtures_are_bracketed_in_setup_and_teardown(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makeconftest(
        LAST_RECORD
        + """
import pytest

@pytest.fixture(scope="session")
def database():
    assert last_record()["ev"] == "fixture_begin"
    yield
    assert last_record()["ev"] == "fixture_begin"
"""
    )
    pytester.makepyfile(
        test_a="""
        import pytest
        from conftest import last_record

        @pytest.fixture(scope="module")
        def table(database):
            assert last_record()["ev"] == "fixture_begin"
            yield
            assert last_record()["ev"] == "fixture_begin"

        class TestRows:
            @pytest.fixture(scope="class")
            def row(self, table):
                return 1

            def test_first(self, row):
                pass

            def test_second(self, row):
                pass

        def test_module_only(table):
            pass
        """,
        test_b="""
        def test_session_only(database):
            pass
        """,
    )
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=4)
    assert fixture_records(journal(run_dir)) == [
        ("fixture_begin", "database", "session", "setup"),
        ("fixture_end", "database", "session", "setup"),
        ("fixture_begin", "table", "module", "setup"),
        ("fixture_end", "table", "module", "setup"),
        ("fixture_begin", "row", "class", "setup"),
        ("fixture_end", "row", "class", "setup"),
        ("fixture_begin", "row", "class", "teardown"),
        ("fixture_end", "row", "class", "teardown"),
        ("fixture_begin", "table", "module", "teardown"),
        ("fixture_end", "table", "module", "teardown"),
        ("fixture_begin", "database", "session", "teardown"),
        ("fixture_end", "database", "session", "teardown"),
    ]


def test_fixture_records_sit_inside_the_phase_that_ran_them(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        def resource():
            yield

        def test_one(resource):
            pass

        def test_two(resource):
            pass
        """
    )
    pytester.runpytest(*PLUGIN)
    sequence = [
        (r["ev"], r.get("phase"), r.get("nodeid", "").split("::")[-1])
        for r in journal(run_dir)
        if r["ev"] in ("test", "begin", "end", "fixture_begin", "fixture_end")
    ]
    # The fixture is set up within the first test's setup (right after its `test` record) and
    # torn down within the last one's teardown (right after the end of its call).
    first_setup = sequence.index(("test", None, "test_one"))
    assert sequence[first_setup + 1] == ("fixture_begin", "setup", "")
    after_last_teardown = len(sequence) - sequence[::-1].index(("end", "call", ""))
    assert sequence[after_last_teardown:] == [
        ("fixture_begin", "teardown", ""),
        ("fixture_end", "teardown", ""),
        ("end", "teardown", ""),
    ]


def test_reparametrized_fixture_is_torn_down_before_its_next_setup(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module", params=["a", "b"])
        def flavour(request):
            yield request.param

        def test_taste(flavour):
            pass
        """
    )
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=2)
    assert [(ev[8:], phase) for ev, _, _, phase in fixture_records(journal(run_dir))] == [
        ("begin", "setup"),
        ("end", "setup"),
        ("begin", "teardown"),
        ("end", "teardown"),
        ("begin", "setup"),
        ("end", "setup"),
        ("begin", "teardown"),
        ("end", "teardown"),
    ]


def test_failing_fixture_setup_names_the_error(pytester: pytest.Pytester, run_dir: Path):
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        def broken():
            raise ValueError("no database")

        def test_one(broken):
            pass

        def test_two(broken):
            pass
        """
    )
    pytester.runpytest(*PLUGIN).assert_outcomes(errors=2)
    records = [r for r in journal(run_dir) if r["ev"] in ("fixture_begin", "fixture_end")]
    assert records[0]["ev"] == "fixture_begin" and "error" not in records[0]
    assert records[1]["ev"] == "fixture_end"
    assert records[1]["error"] == "ValueError: no database"
    assert len([r for r in records if r["phase"] == "setup"]) == 2  # pytest caches the error


def test_function_scoped_fixtures_write_no_fixture_records(
    pytester: pytest.Pytester, run_dir: Path
):
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def per_test(tmp_path):
            yield tmp_path

        def test_one(per_test):
            pass
        """
    )
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=1)
    assert [r for r in fixture_records(journal(run_dir)) if r[1] != "tmp_path_factory"] == []
