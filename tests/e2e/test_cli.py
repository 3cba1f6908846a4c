"""Bad input gets a clear message and the documented exit status; nothing half-made is left."""

import json

from conftest import report_data


def test_a_missing_command_exits_127_and_leaves_no_run(project):
    result = project.run(command=["no-such-command-here", "-x"])
    assert result.returncode == 127
    assert "command not found: no-such-command-here" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (project.root / ".blackbox" / "runs").exists() or not any(
        (project.root / ".blackbox" / "runs").iterdir()
    )


def test_an_uncreatable_run_dir_is_an_error_before_anything_starts(project):
    (project.root / "afile").write_text("x")
    marker = project.root / "started"
    result = project.run(
        options=["--run-dir", str(project.root / "afile" / "run")],
        command=["sh", "-c", f"touch {marker}"],
    )
    assert result.returncode == 3
    assert "cannot create the run directory" in result.stderr
    assert not marker.exists()


def test_show_on_a_directory_that_is_not_a_run_exits_2(project):
    (project.root / "empty").mkdir()
    result = project.blackbox("show", str(project.root / "empty"))
    assert result.returncode == 2
    assert "not a blackbox run directory" in result.stderr
    assert project.blackbox("show").returncode == 2  # no latest run yet


def test_unknown_options_are_usage_errors(project):
    for args in (["run", "--no-such-option"], ["show", "--bogus"], ["frobnicate"], []):
        result = project.blackbox(*args)
        assert result.returncode == 4, (args, result.stderr)


def test_help_is_generated_from_the_command_table(project):
    result = project.blackbox("--help")
    assert result.returncode == 0
    assert "run" in result.stdout and "show" in result.stdout


def test_the_run_directory_layout(project):
    project.write("test_a.py", "def test_a():\n    print('hello from the test')\n")
    project.run("test_a.py", "-s")
    latest = project.latest
    assert latest.parent == project.root / ".blackbox" / "runs"
    assert (project.root / ".blackbox" / ".gitignore").read_text().strip().endswith("*")
    run = json.loads((latest / "run.json").read_text())
    assert run["recorder"] == "supervisor"
    assert run["command"][-2:] == ["test_a.py", "-s"]
    assert run["context"]["cpu"]["count"] >= 1
    end = json.loads((latest / "end.json").read_text())
    assert end["exit_code"] == 0
    assert "hello from the test" in (latest / "output.log").read_text()
    assert len(list((latest / "journal").glob("1-main-*.jsonl"))) == 1
    assert json.loads((latest / "postmortem.json").read_text())["status"] == "passed"
    assert report_data(latest / "report.html")["tests"]["name"] == ["test_a"]


def test_run_writes_the_html_report_where_asked_too(project):
    project.write("tests/test_a.py", "def test_a():\n    pass\n\ndef test_b():\n    assert 0\n")
    result = project.run("tests", options=("--html", "out/report.html"))
    assert result.returncode == 1
    data = report_data(project.root / "out" / "report.html")
    assert data["run"]["status"] == "failed" and data["run"]["counts"]["failed"] == 1
    assert data["prefixes"] == ["tests/test_a.py::"]
    assert [data["outcomes"][i] for i in data["tests"]["outcome"]] == ["passed", "failed"]
    assert "assert 0" in data["failures"][0]["text"]
    assert (project.latest / "report.html").read_bytes() == (
        project.root / "out" / "report.html"
    ).read_bytes()
    assert "report    .blackbox/runs/" in result.stderr


def test_old_runs_are_pruned(project):
    project.write("test_a.py", "def test_a():\n    pass\n")
    for _ in range(4):
        project.run("test_a.py", options=["--keep-runs", "2"])
    assert len(list((project.root / ".blackbox" / "runs").iterdir())) == 2


def test_the_users_pythonpath_and_plugins_are_kept(project):
    project.write("lib/mylib.py", "VALUE = 42\n")
    project.write("lib/myplugin.py", "def pytest_report_header():\n    return 'myplugin loaded'\n")
    project.write("test_a.py", "import mylib\n\ndef test_a():\n    assert mylib.VALUE == 42\n")
    result = project.run(
        "test_a.py",
        env={"PYTHONPATH": str(project.root / "lib"), "PYTEST_PLUGINS": "myplugin"},
    )
    assert result.returncode == 0, result.stdout
    assert "myplugin loaded" in result.stdout


def test_a_process_whose_recording_stopped_is_named_in_the_post_mortem(project):
    # As an xdist worker run outside its main thread did before the dump signal was handled
    # there: the plugin fails after `start`, the tests run unrecorded.
    project.write(
        "conftest.py",
        """
        import pytest_blackbox.faults

        def broken(self, signum):
            raise ValueError("signal only works in main thread of the main interpreter")

        pytest_blackbox.faults.FaultFile.register_dump = broken
        """,
    )
    project.write("test_ok.py", "def test_ok():\n    pass\n")
    result = project.run("-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning recording stopped in main (pid " in result.stderr + result.stdout
    assert "internal error: ValueError: signal only works" in result.stderr + result.stdout
    stopped = project.show()["recording_stopped"]
    assert len(stopped) == 1 and stopped[0].startswith("main (pid ")
