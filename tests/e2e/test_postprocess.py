"""`blackbox postprocess`: crashed tests put into the reports a dead session left behind."""

import csv
import html
import json
import shutil
import signal
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "unit" / "data" / "repair"

SUITE = """
    import pytest

    def test_passes():
        pass

    def test_fails():
        assert 1 + 1 == 3

    @pytest.mark.parametrize("size", ["small", "big"])
    def test_sizes(size):
        pass
    """


class BlobReader(HTMLParser):
    """Reads data-jsonblob as pytest_html_merger does: through an HTML parser."""

    def __init__(self):
        super().__init__()
        self.blob = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "data-jsonblob" and self.blob is None:
                self.blob = value


def jsonblob(path):
    reader = BlobReader()
    reader.feed(path.read_text(encoding="utf-8"))
    assert reader.blob is not None, f"no data-jsonblob in {path}"
    return json.loads(reader.blob)


def crash_log(path, *records):
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def postprocess(project, *args):
    return project.blackbox("postprocess", *args)


def snapshot(*paths):
    return {path: path.read_bytes() for path in paths}


def test_crashes_from_a_log_go_into_every_report(project):
    project.write("tests/test_sample.py", SUITE)
    run = subprocess.run(
        project.pytest_command("--junitxml=out/junit.xml", "tests"),
        cwd=project.root,
        env=project.env(),
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1, run.stdout
    log = crash_log(
        project.root / "crashed_tests.jsonl",
        {
            "test_name": "test_sizes[big]",
            "nodeid": "tests/test_sample.py::test_sizes[big]",
            "reason": "Test crashed: the last-running marker was left behind",
            "gpu_id": "0",
            "source": "xdist:gw1",
        },
        {"nodeid": "tests/test_sample.py::test_fails"},
        {"nodeid": " tests/test_sample.py::test_gone[<b>&</b>] ", "duration": 2.5},
    )
    reports = [
        "--junitxml",
        "out/junit.xml",
        "--json-report",
        "out/new/dir/report.json",
        "--csv-report",
        "out/report.csv",
        "--html-report",
        "out/html/report.html",
    ]
    result = postprocess(project, "--crash-log", str(log), *reports)
    assert result.returncode == 0, result.stderr
    assert "JUnit XML out/junit.xml: added 1 crashed test, marked 1" in result.stdout

    out = project.root / "out"
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite.get("errors") == "2" and suite.get("tests") == "6"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert len(cases) == 5
    gone = cases["test_gone[<b>&</b>]"]
    assert gone.get("classname") == "tests.test_sample"
    assert gone.find("error").get("message") == "crashed"
    big = cases["test_sizes[big]"]
    # Its call passed, so the crash came in teardown.
    assert big.find("error").get("message").startswith("crashed in teardown: Test crashed")
    assert "GPU: 0" in big.find("error").text
    assert cases["test_fails"].find("error") is None  # failed already: left alone

    report = json.loads((out / "new" / "dir" / "report.json").read_text())
    assert [test["nodeid"] for test in report["tests"]] == [
        "tests/test_sample.py::test_sizes[big]",
        "tests/test_sample.py::test_fails",
        "tests/test_sample.py::test_gone[<b>&</b>]",
    ]
    assert report["summary"]["failed"] == 3 and report["summary"]["total"] == 3
    assert report["tests"][2]["call"]["duration"] == 2.5

    with open(out / "report.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["status"] for row in rows] == ["failed"] * 3
    assert rows[2]["name"] == "test_gone[<b>&</b>]"

    page = (out / "html" / "report.html").read_text()
    assert "<b>&</b>" not in page
    assert html.escape("test_gone[<b>&</b>]", quote=False) in page
    assert len(jsonblob(out / "html" / "report.html")["tests"]) == 3

    before = snapshot(
        out / "junit.xml", out / "new/dir/report.json", out / "report.csv", out / "html/report.html"
    )
    again = postprocess(project, "--crash-log", str(log), *reports)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("unchanged") == 4
    assert snapshot(*before) == before


def test_crashes_from_a_run_directory_carry_signal_and_traceback(project):
    project.write(
        "test_a.py",
        """
        def test_before():
            pass

        def test_segv():
            import ctypes; ctypes.string_at(0)
        """,
    )
    assert project.run("test_a.py").returncode == 128 + signal.SIGSEGV
    result = postprocess(
        project,
        "--run-dir",
        str(project.latest),
        "--junitxml",
        "junit.xml",
        "--csv-report",
        "r.csv",
    )
    assert result.returncode == 0, result.stderr
    case = ET.parse(project.root / "junit.xml").getroot().find("testsuite/testcase")
    assert case.get("classname") == "test_a" and case.get("name") == "test_segv"
    error = case.find("error")
    assert error.get("message") == "crashed in call: segfault (SIGSEGV)"
    assert "test_segv" in error.text and "Segmentation fault" in error.text
    with open(project.root / "r.csv", newline="") as stream:
        (row,) = csv.DictReader(stream)
    assert row["id"] == "test_a.py::test_segv" and row["status"] == "failed"


def test_a_malformed_report_is_left_untouched_and_the_others_are_repaired(project):
    log = crash_log(project.root / "log.jsonl", {"nodeid": "test_a.py::test_x"})
    broken = project.write("broken.json", '{"tests": [')
    result = postprocess(
        project, "--crash-log", str(log), "--json-report", "broken.json", "--junitxml", "j.xml"
    )
    assert result.returncode == 1
    assert "JSON report broken.json: not valid JSON; left untouched" in result.stderr
    assert broken.read_text() == '{"tests": ['
    assert ET.parse(project.root / "j.xml").getroot().find("testsuite").get("errors") == "1"


def test_sanitize_html_makes_blobs_parse_and_changes_them_once(project):
    logs = project.root / "logs"
    (logs / "sub").mkdir(parents=True)
    shutil.copy(DATA / "pytest_html4.html", logs / "good_log.html")
    shutil.copy(DATA / "pytest_html4_broken_blob.html", logs / "sub" / "bad_log.html")
    with pytest.raises((UnicodeDecodeError, json.JSONDecodeError)):
        jsonblob(logs / "sub" / "bad_log.html")

    result = postprocess(project, "--sanitize-html", str(logs))
    assert result.returncode == 0, result.stderr
    assert "sanitize-html: 1 file changed, 1 unchanged, 0 left with errors" in result.stdout
    assert jsonblob(logs / "sub" / "bad_log.html")["environment"]["Load"] is None
    assert (logs / "good_log.html").read_bytes() == (DATA / "pytest_html4.html").read_bytes()

    again = postprocess(project, "--sanitize-html", str(logs))
    assert "0 files changed" in again.stdout


def test_the_crash_log_comes_from_pytest_aborts_variable(project):
    log = crash_log(project.root / "env.jsonl", {"nodeid": "test_a.py::test_x"})
    result = subprocess.run(
        [str(project.blackbox_bin), "postprocess", "--csv-report", "r.csv"],
        cwd=project.root,
        env=project.env({"PYTEST_ABORT_CRASHED_TESTS_LOG": str(log)}),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test_a.py::test_x" in (project.root / "r.csv").read_text()


def test_nothing_to_do_is_a_usage_error(project):
    assert postprocess(project).returncode == 4
    assert postprocess(project, "--junitxml", "j.xml").returncode == 4
