"""A command whose Python ignores PYTHONPATH (-I, -E) cannot get the plugin through it: blackbox
refuses it before anything runs (exit 3), unless that Python has the plugin installed; a Python
hidden in a script that fails to load the plugin is said to, with exit 3, never read as a failed
suite. Options that leave PYTHONPATH alone (-s, PYTHONNOUSERSITE) are recorded as usual."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

SUITE = """
from pathlib import Path

def test_ran():
    Path(__file__).with_name("ran.txt").write_text("ran")
"""


def recorded_runs(project):
    runs = project.root / ".blackbox" / "runs"
    return sorted(runs.iterdir()) if runs.is_dir() else []


@pytest.mark.parametrize("flags", [["-I"], ["-E"], ["-B", "-I"], ["-W", "ignore", "-IB"]])
def test_a_python_that_ignores_pythonpath_is_refused_before_anything_runs(project, flags):
    project.write("test_i.py", SUITE)
    command = [sys.executable, *flags, "-m", "pytest", "test_i.py"]
    result = project.run(command=command)
    assert result.returncode == 3, result.stderr
    assert "cannot record this command" in result.stderr
    assert "ignores PYTHONPATH" in result.stderr
    assert not (project.root / "ran.txt").exists()  # the user's tests did not run
    assert recorded_runs(project) == []


def test_a_script_whose_shebang_isolates_python_is_refused(project):
    project.write("test_i.py", SUITE)
    script = project.write(
        "runtests", f"#!{sys.executable} -I\nimport sys, pytest\nsys.exit(pytest.main())\n"
    )
    script.chmod(0o755)
    result = project.run(command=["./runtests", "test_i.py"])
    assert result.returncode == 3, result.stderr
    assert "#! line of" in result.stderr
    assert not (project.root / "ran.txt").exists()


def test_an_isolated_python_hidden_in_a_shell_is_said_not_to_have_loaded_the_plugin(project):
    project.write("test_i.py", SUITE)
    inner = f"{sys.executable} -I -m pytest test_i.py"
    result = project.run(command=["bash", "-c", inner], options=["--max-restarts", "2"])
    assert result.returncode == 3, result.stderr  # not pytest's 1 for a suite that failed
    assert "pytest could not load the blackbox plugin" in result.stderr
    assert "No module named 'pytest_blackbox'" in result.stderr
    assert "0 collected" not in result.stderr
    (run,) = recorded_runs(project)
    assert (run / "output.log").exists()
    assert not (run / "output-2.log").exists()  # no restart: it would fail the same way


@pytest.mark.parametrize("how", ["-s", "PYTHONNOUSERSITE"])
def test_options_that_keep_pythonpath_are_recorded(project, how):
    project.write("test_i.py", SUITE)
    flags = ["-s"] if how == "-s" else []
    env = {"PYTHONNOUSERSITE": "1"} if how == "PYTHONNOUSERSITE" else {}
    result = project.run(
        command=[sys.executable, *flags, "-m", "pytest", "test_i.py"],
        env=env,
        options=["--json", "r.json"],
    )
    assert result.returncode == 0, result.stderr
    assert project.show()["tests"]["passed"] == 1


def test_an_isolated_python_with_the_plugin_installed_is_recorded(project, blackbox_bin, tmp_path):
    """The plugin reached by the environment's own site-packages (here a .pth file, as an
    installed package would be): -I does not stop it, and the run is recorded."""
    plugin_dir = (Path(blackbox_bin).parent / ".." / "share" / "blackbox" / "python").resolve()
    assert (plugin_dir / "pytest_blackbox" / "plugin.py").is_file()
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)],
        check=True,
    )
    purelib = sysconfig.get_path(
        "purelib", vars={"base": str(venv), "platbase": str(venv)}, scheme="posix_prefix"
    )
    os.makedirs(purelib, exist_ok=True)
    Path(purelib, "pytest_blackbox.pth").write_text(f"{plugin_dir}\n")
    project.write("test_i.py", SUITE)
    command = [str(venv / "bin" / "python"), "-I", "-m", "pytest", "test_i.py"]
    result = project.run(command=command)
    assert result.returncode == 0, result.stderr
    assert (project.root / "ran.txt").exists()
    assert project.show()["tests"]["passed"] == 1
