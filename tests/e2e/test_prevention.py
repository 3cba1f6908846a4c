"""Prevention with the real binary: the sentinels' leaking tests and gc's figures in `blackbox
show`, its JSON and every report; a memory budget's failure in the reports."""

from xml.etree import ElementTree

from conftest import load_report

SUITE = """
import subprocess
import pytest

kept = []

def test_clean():
    pass

def test_leaves_a_file_open():
    kept.append(open(__file__))

def test_leaves_a_child_process_alive():
    kept.append(subprocess.Popen(["sleep", "30"]))

@pytest.mark.limit_memory("10 MB")
def test_over_its_budget():
    data = b"x" * (64 << 20)
    assert data

def test_last():
    for child in kept:
        if isinstance(child, subprocess.Popen):
            child.kill()
            child.wait()
"""


def test_the_post_mortem_names_the_tests_that_left_things_behind(project, tmp_path):
    project.write("test_prevent.py", SUITE)
    report_path = tmp_path / "report.json"
    result = project.run(
        "--blackbox-sentinels",
        "--blackbox-gc-after-each",
        "test_prevent.py",
        options=[
            "--json",
            str(report_path),
            "--junitxml",
            str(tmp_path / "junit.xml"),
            "--md",
            str(tmp_path / "summary.md"),
            "--html",
            str(tmp_path / "report.html"),
        ],
    )
    assert result.returncode == 1, result.stdout + result.stderr  # the budget's failure
    shown = project.blackbox("show").stdout
    assert "left behind file descriptors, 1 test: test_prevent.py::test_leaves_a_file_open" in shown
    assert "left behind child processes, 1 test: test_prevent.py::test_leaves_a_child" in shown
    assert "test_clean" not in shown
    assert "gc after each test freed" in shown

    postmortem = project.show()
    left = postmortem["left_behind"]
    assert [t["nodeid"] for t in left["fds"]] == ["test_prevent.py::test_leaves_a_file_open"]
    (child,) = left["children"]
    assert child["nodeid"] == "test_prevent.py::test_leaves_a_child_process_alive"
    assert child["count"] == 1 and child["names"][0].endswith("sleep 30")
    assert postmortem["gc_after_each"]["tests"] == 5

    report = load_report(report_path)
    tests = {t["nodeid"]: t for t in report["tests"]}
    assert tests["test_prevent.py::test_leaves_a_file_open"]["left"]["fds"]["count"] == 1
    assert tests["test_prevent.py::test_clean"]["left"] is None
    assert isinstance(tests["test_prevent.py::test_clean"]["gc_freed_bytes"], int)
    check_other_reports(tmp_path)
    budget = tests["test_prevent.py::test_over_its_budget"]
    assert budget["outcome"] == "failed"
    assert "limit_memory: the call used" in budget["longrepr"]


def check_other_reports(folder):
    """JUnit, Markdown and HTML name the same leaking tests as the JSON report."""
    junit = ElementTree.parse(folder / "junit.xml").getroot()
    cases = {case.get("name"): case for case in junit.iter("testcase")}
    props = {
        name: {p.get("name"): p.get("value") for p in case.iter("property")}
        for name, case in cases.items()
    }
    assert props["test_leaves_a_file_open"]["blackbox.left.fds"].startswith("1: ")
    assert props["test_leaves_a_child_process_alive"]["blackbox.left.children"].endswith("sleep 30")
    assert "blackbox.left.fds" not in props["test_clean"]
    assert "blackbox.gc_freed_bytes" in props["test_clean"]

    markdown = (folder / "summary.md").read_text()
    section = markdown[markdown.index("### Left behind") :]
    assert "| file descriptors | 1 | `test_prevent.py::test_leaves_a_file_open` |" in section
    assert "`test_prevent.py::test_leaves_a_child_process_alive`" in section
    assert "test_clean" not in section.split("gc after each test")[0]

    page = (folder / "report.html").read_text()
    verdict = page[page.index('<header id="verdict"') : page.index("</header>")]
    left = verdict[verdict.index('<ul class="left-behind">') :]
    assert '<li data-kind="fds">' in left
    assert "<code>test_prevent.py::test_leaves_a_file_open</code>" in left
    assert "<code>test_prevent.py::test_leaves_a_child_process_alive</code>" in left
    assert "test_clean" not in left.split('class="gc"')[0]
