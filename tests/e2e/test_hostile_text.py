"""Untrusted text through every output: bytes that are not UTF-8 in a test's output and in a
file name, and node ids that hold terminal escape sequences. Each output is well-formed, the
crash is named, and nothing a terminal would act on is printed."""

import base64
import json
import os
import re
import signal
import sqlite3
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest

from conftest import load_report, only_crash

SEGV = 128 + signal.SIGSEGV
TITLE_AND_CLEAR = "\x1b]0;PWNED\x07\x1b[2J"
# Anything a terminal acts on: C0 controls but tab, LF and CR, DEL, and C1 controls.
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")


def run_bytes(project, argv, env=None, timeout=180):
    """Run with stdout and stderr kept as bytes."""
    return subprocess.run(
        argv,
        cwd=project.root,
        env=project.env(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
    )


def blackbox(project, *args):
    return run_bytes(project, [str(project.blackbox_bin), *args])


def record(project, *pytest_args, options=()):
    argv = [str(project.blackbox_bin), "run", *options, "--", *project.pytest_command(*pytest_args)]
    return run_bytes(project, argv)


def assert_no_control_characters(data, what):
    found = CONTROL.search(data)
    assert found is None, f"{what} holds {found.group()!r}: {data[:2000]!r}"


def assert_outputs_well_formed(project, out):
    """`report` writes every format from the latest run: each parses, none holds control bytes."""
    result = blackbox(
        project,
        "report",
        "--junitxml",
        str(out / "junit.xml"),
        "--json",
        str(out / "report.json"),
        "--md",
        str(out / "summary.md"),
        "--html",
        str(out / "report.html"),
    )
    assert result.returncode == 0, result.stderr
    assert not [p.name for p in project.latest.rglob("*.tmp.*")]
    assert not [p.name for p in out.iterdir() if ".tmp." in p.name]
    junit = ElementTree.parse(out / "junit.xml").getroot()
    report = load_report(out / "report.json")
    html = (out / "report.html").read_bytes()
    html.decode("utf-8")
    assert_no_control_characters(html, "report.html")
    markdown = (out / "summary.md").read_bytes()
    markdown.decode("utf-8")
    assert_no_control_characters(markdown, "summary.md")
    return junit, report, markdown.decode()


def test_broken_utf8_printed_before_a_segfault_reaches_every_output(project, tmp_path):
    project.write(
        "test_bytes.py",
        """
        import ctypes, os

        def test_prints_and_dies():
            os.write(1, b"before \\xc3\\x28 and \\xed\\xa0\\x80 after\\n")
            os.write(2, b"err \\xff\\n")
            ctypes.string_at(0)
        """,
    )
    result = record(project, "test_bytes.py", options=["--json", str(tmp_path / "run.json")])
    assert result.returncode == SEGV, result.stderr
    assert b"test_bytes.py::test_prints_and_dies died in call: segfault (SIGSEGV)" in result.stderr
    assert b"internal error" not in result.stderr
    run_dir = project.latest
    for name in ("end.json", "postmortem.json", "report.html"):
        assert (run_dir / name).is_file(), name
    # The crashed test's output was kept, byte for byte.
    (captured,) = (run_dir / "capture").glob("1-main-*.stdout")
    assert captured.read_bytes() == b"before \xc3\x28 and \xed\xa0\x80 after\n"
    # The terminal shows the bytes visibly.
    assert b"before \\xc3( and \\xed\\xa0\\x80 after" in result.stderr
    shown = blackbox(project, "show", "--json")
    assert shown.returncode == 0, shown.stderr
    crash = only_crash(json.loads(shown.stdout))
    assert crash["cause"] == "segfault" and crash["signal"] == "SIGSEGV"
    assert crash["captured_stdout"] == "before \ufffd( and \ufffd\ufffd\ufffd after\n"
    assert crash["captured_stderr"] == "err \ufffd\n"
    assert json.loads((run_dir / "postmortem.json").read_text())["status"] == "crashed"
    junit, report, _ = assert_outputs_well_formed(project, tmp_path)
    assert "before \ufffd( and" in junit.find(".//testcase/system-out").text
    (test,) = report["tests"]
    assert test["outcome"] == "crashed"
    stored = blackbox(project, "ingest", "--db", str(tmp_path / "m.db"))
    assert stored.returncode == 0, stored.stderr


def test_the_output_of_a_test_that_dies_at_once_is_kept_every_time(project):
    # The test dies milliseconds after pytest started: long before the supervisor's first look
    # at the journals. The capture files must be kept all the same, every time.
    project.write(
        "test_quick.py",
        """
        import ctypes, os

        def test_dies_at_once():
            os.write(1, b"last words\\n")
            ctypes.string_at(0)
        """,
    )
    rounds = int(os.environ.get("BLACKBOX_CAPTURE_ROUNDS", "6"))
    for attempt in range(rounds):
        result = record(project, "-q", "test_quick.py")
        assert result.returncode == SEGV, result.stderr
        captured = list((project.latest / "capture").glob("1-main-*.stdout"))
        assert [path.read_bytes() for path in captured] == [b"last words\n"], f"round {attempt}"


HOSTILE_SUITE = b"""
import ctypes, os, pytest

def test_ok():
    pass

@pytest.mark.parametrize("v", ["plain", "\\x1b]0;PWNED\\x07\\x1b[2J"],
                         ids=["plain", "\\x1b]0;PWNED\\x07\\x1b[2J"])
def test_param(v):
    assert v == "plain"

def test_crash():
    os.write(1, b"\\xc3\\x28 \\x1b[2J\\n")
    ctypes.string_at(0)
"""


def test_a_file_name_that_is_not_utf8_and_hostile_node_ids_reach_every_output(project, tmp_path):
    name = b"test_\xff\xfe.py"
    with open(os.path.join(os.fsencode(project.root), name), "wb") as file:
        file.write(HOSTILE_SUITE)
    # pytest escapes parametrize ids unless told not to: a suite may tell it not to.
    project.write(
        "pytest.ini",
        "[pytest]\ndisable_test_id_escaping_and_forfeit_all_rights_to_community_support = true\n",
    )
    result = record(project, options=["--json", str(tmp_path / "run.json")])
    assert result.returncode == SEGV, result.stderr
    assert b"test_\\xff\\xfe.py::test_crash died in call: segfault (SIGSEGV)" in result.stderr
    # Everything blackbox printed is free of what a terminal acts on (pytest's own output is
    # pytest's: only what follows its last line is ours).
    ours = result.stderr[result.stderr.index(b"crash test_") :]
    assert_no_control_characters(ours, "the post-mortem of `run`")
    shown_text = blackbox(project, "show")
    assert shown_text.returncode == 0
    assert_no_control_characters(shown_text.stdout + shown_text.stderr, "`show`")
    assert b"test_\\xff\\xfe.py::test_crash" in shown_text.stdout

    shown = blackbox(project, "show", "--json")
    assert shown.returncode == 0, shown.stderr
    assert_no_control_characters(shown.stdout, "`show --json`")
    report = json.loads(shown.stdout)
    assert report["tests"]["collected"] == 4
    assert report["tests"]["crashed"] == 1 and report["tests"]["failed"] == 1
    crash = only_crash(report)
    assert crash["nodeid"] == "test_\\xff\\xfe.py::test_crash"
    assert base64.b64decode(crash["nodeid_bytes"]) == b"test_\xff\xfe.py::test_crash"

    junit, json_report, markdown = assert_outputs_well_formed(project, tmp_path)
    names = {case.get("name") for case in junit.iter("testcase")}
    assert "test_param[#x1B]0;PWNED#x07#x1B[2J]" in names
    assert {case.get("file") for case in junit.iter("testcase")} == {"test_\\xff\\xfe.py"}
    nodeids = {test["nodeid"]: test for test in json_report["tests"]}
    assert "test_\\xff\\xfe.py::test_param[" + TITLE_AND_CLEAR + "]" in nodeids
    exact = {base64.b64decode(test["nodeid_bytes"]) for test in json_report["tests"]}
    assert b"test_\xff\xfe.py::test_ok" in exact
    assert "test_\\xff\\xfe.py::test_crash" in markdown

    database = tmp_path / "metrics.db"
    stored = blackbox(project, "ingest", "--db", str(database))
    assert stored.returncode == 0, stored.stderr
    with sqlite3.connect(database) as connection:
        # Every TEXT value of every table is valid UTF-8 (sqlite3 raises on any that is not).
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            connection.execute(f'SELECT * FROM "{table}"').fetchall()
        items = {row[0] for row in connection.execute("SELECT ITEM_VARIANT FROM TEST_METRICS")}
        fs_locs = {row[0] for row in connection.execute("SELECT ITEM_FS_LOC FROM TEST_METRICS")}
    assert "test_param[" + TITLE_AND_CLEAR + "]" in items
    assert fs_locs == {"test_\\xff\\xfe.py"}

    # The re-run command, pasted into a shell, runs that very test again.
    rerun = crash["rerun"]
    assert rerun.startswith("blackbox run --") and "$'test_\\xff\\xfe.py::test_crash'" in rerun
    env = {"PATH": f"{project.blackbox_bin.parent}:{os.environ['PATH']}"}
    again = run_bytes(project, ["bash", "-c", rerun], env=env)
    assert again.returncode == SEGV, again.stderr
    rerun_report = json.loads(blackbox(project, "show", "--json").stdout)
    assert rerun_report["tests"]["collected"] == 1
    assert only_crash(rerun_report)["nodeid"] == "test_\\xff\\xfe.py::test_crash"


def test_a_crash_in_a_test_with_a_hostile_id_is_shown_inert(project):
    project.write(
        "pytest.ini",
        "[pytest]\ndisable_test_id_escaping_and_forfeit_all_rights_to_community_support = true\n",
    )
    project.write(
        "test_t.py",
        """
        import ctypes, pytest

        @pytest.mark.parametrize("v", [1], ids=["\\x1b]0;PWNED\\x07\\x1b[2J\\u202e"])
        def test_p(v):
            ctypes.string_at(0)
        """,
    )
    result = record(project, "test_t.py")
    assert result.returncode == SEGV
    ours = result.stderr[result.stderr.index(b"crash test_") :]
    assert_no_control_characters(ours, "the post-mortem of `run`")
    assert b"test_t.py::test_p[\\x1b]0;PWNED\\x07\\x1b[2J\\u202e] died in call" in ours
    shown = blackbox(project, "show")
    assert_no_control_characters(shown.stdout, "`show`")
    assert "\u202e".encode() not in shown.stdout
    rerun = [line for line in shown.stdout.splitlines() if b"re-run" in line]
    assert rerun and b"$'test_t.py::test_p[\\x1b]0;PWNED\\x07\\x1b[2J\\xe2\\x80\\xae]'" in rerun[0]


@pytest.mark.parametrize(
    "command", [["compare"], ["history", "test_t.py::test_p[" + TITLE_AND_CLEAR + "]"]]
)
def test_database_texts_are_shown_inert(project, command):
    project.write(
        "pytest.ini",
        "[pytest]\ndisable_test_id_escaping_and_forfeit_all_rights_to_community_support = true\n",
    )
    project.write(
        "test_t.py",
        """
        import pytest

        @pytest.mark.parametrize("v", [1], ids=["\\x1b]0;PWNED\\x07\\x1b[2J"])
        def test_p(v):
            pass
        """,
    )
    for _ in range(2):
        assert record(project, "test_t.py").returncode == 0
    result = blackbox(project, *command)
    assert_no_control_characters(result.stdout + result.stderr, " ".join(command))
