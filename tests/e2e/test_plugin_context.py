"""`pytest --blackbox` records the facts of the execution context and `blackbox` derives it: the
context `show --json` gives is the one the supervisor would have gathered on the same machine."""

import base64
import json
import os
import subprocess
import sys

import pytest

CI = {"GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "42", "GITHUB_SHA": "abc", "UNRELATED": "x"}


def plugin_mode(project, blackbox_bin, env):
    plugin = blackbox_bin.parent.parent / "share" / "blackbox" / "python"
    env = project.env(
        {"PYTHONPATH": str(plugin), "PYTEST_PLUGINS": "pytest_blackbox.plugin", **env}
    )
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--blackbox", "-q"]
    result = subprocess.run(
        command, cwd=project.root, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_plugin_mode_context_is_the_supervisors(project, blackbox_bin):
    project.write("test_a.py", "def test_a():\n    pass\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    for args in (["init", "-q", "-b", "trunk"], ["add", "test_a.py"], ["commit", "-qm", "x"]):
        if subprocess.run(git + args, cwd=project.root, capture_output=True).returncode != 0:
            pytest.skip("git is not usable here")

    plugin_mode(project, blackbox_bin, CI)
    run_json = json.loads((project.latest / "run.json").read_text())
    assert "context" not in run_json and "UNRELATED" not in run_json["context_facts"]["environ"]
    from_facts = project.show()["context"]
    assert set(from_facts["os"]) == {"id", "name", "version_id", "pretty_name"}
    assert from_facts["cpu"]["count"] >= 1 and from_facts["memory_total_bytes"] > 0
    assert from_facts["git"]["branch"] == "trunk" and len(from_facts["git"]["commit"]) == 40
    assert from_facts["git"]["dirty"] is False
    assert from_facts["ci"] == {
        "name": "github-actions",
        "build": "42",
        "branch": None,
        "commit": "abc",
        "url": None,
    }

    result = project.run(env=CI)
    assert result.returncode == 0, result.stderr
    gathered = project.show()["context"]
    for key in ("python", "pytest", "xdist"):  # from the journals, in either mode
        assert from_facts.pop(key, None) == gathered.pop(key, None)
    # A processor's current frequency may move between two reads; everything else may not.
    assert isinstance(from_facts["cpu"].pop("frequency_mhz"), (float, int, type(None)))
    gathered["cpu"].pop("frequency_mhz")
    assert from_facts == gathered


def test_plugin_mode_in_a_directory_and_branch_that_are_not_utf8(tmp_path, blackbox_bin):
    """A name is bytes: run.json keeps the directory's exact bytes beside its text form, and the
    context is still derived (before, one undecodable byte made the whole run.json unreadable)."""
    from conftest import Project

    root = tmp_path / os.fsdecode(b"proj-\xff\xfe")
    root.mkdir()
    project = Project(root, blackbox_bin)
    project.write("test_a.py", "def test_a():\n    pass\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    branch = os.fsdecode(b"br-\xe9t\xe9")
    for args in (["init", "-q", "-b", branch], ["add", "test_a.py"], ["commit", "-qm", "x"]):
        if subprocess.run(git + args, cwd=root, capture_output=True).returncode != 0:
            pytest.skip("git is not usable here")

    plugin_mode(project, blackbox_bin, {})
    run_json = json.loads((project.latest / "run.json").read_bytes().decode("utf-8"))
    assert base64.b64decode(run_json["cwd_bytes"]) == os.fsencode(root)
    assert run_json["cwd"].endswith("proj-\\xff\\xfe")
    shown = project.show()
    assert not any("run.json" in warning for warning in shown.get("warnings", []))
    assert shown["cwd"].endswith("proj-\\xff\\xfe")
    assert shown["context"]["git"]["branch"] == "br-\ufffdt\ufffd"  # as the supervisor says it
    assert len(shown["context"]["git"]["commit"]) == 40
    assert shown["context"]["memory_total_bytes"] > 0
