"""The facts of the execution context that `pytest --blackbox` records into run.json.

`blackbox` derives the context from them (tests/unit/context/recorded_sources_test.cpp holds the
answers); here: that the plugin records what the supervisor's gatherer reads, exactly, cheaply,
and without ever failing.
"""

import os
import re
from pathlib import Path
from typing import Dict

import pytest
from pytest_blackbox import context_facts

REPO = Path(__file__).resolve().parents[2]
RECORDED = REPO / "tests" / "unit" / "data" / "context"
CPU = "/sys/devices/system/cpu"


def recorded(name: str) -> str:
    return (RECORDED / name).read_text()


def test_every_member_is_recorded(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TERMUX_VERSION", "")
    facts = context_facts.gather()
    assert list(facts) == [
        "uname",
        "hostname",
        "online_cpus",
        "cwd",
        "files",
        "environ",
        "commands",
    ]
    uname = os.uname()
    assert facts["uname"] == {
        "sysname": uname.sysname,
        "nodename": uname.nodename,
        "release": uname.release,
        "version": uname.version,
        "machine": uname.machine,
    }
    assert facts["hostname"] and facts["cwd"] == os.getcwd()
    assert facts["online_cpus"] == os.sysconf("SC_NPROCESSORS_ONLN")
    assert facts["files"]["/proc/meminfo"].startswith("MemTotal:")
    assert "processor" in facts["files"]["/proc/cpuinfo"]
    assert facts["environ"]["TERMUX_VERSION"] == ""  # set, though empty: the reader decides


def test_only_the_variables_the_context_reads_are_recorded(monkeypatch: pytest.MonkeyPatch):
    for name in list(os.environ):
        monkeypatch.delenv(name)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_RUN_ID", "7360154831")
    monkeypatch.setenv("CI", "")
    monkeypatch.setenv("PYTEST_MONITOR_CPU_FREQ", "2840")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "never recorded")
    assert context_facts.gather()["environ"] == {
        "CI": "",
        "GITHUB_ACTIONS": "true",
        "GITHUB_RUN_ID": "7360154831",
        "PYTEST_MONITOR_CPU_FREQ": "2840",
    }


def test_the_variables_are_those_the_supervisor_reads():
    """Every variable the C++ rules read, and no other: a CI added there is recorded here."""
    source = REPO / "src" / "blackbox" / "context"
    if not source.is_dir():
        pytest.skip("not a source tree")
    ci = set(re.findall(r'"([A-Z][A-Z0-9_]+)"', (source / "ci_detection.cpp").read_text()))
    context = re.findall(
        r'getenv\("([A-Z0-9_]+)"\)', (source / "execution_context.cpp").read_text()
    )
    assert ci and context
    assert sorted(context_facts.VARIABLES) == sorted(ci | set(context))
    assert len(set(context_facts.VARIABLES)) == len(context_facts.VARIABLES)


def fake_machine(monkeypatch: pytest.MonkeyPatch, files: Dict[str, str], online) -> list:
    """Files and an online count of the test's choosing; returns the paths read, in order."""
    read = []

    def fake_read(path: str):
        read.append(path)
        return files.get(path)

    monkeypatch.setattr(context_facts, "_read", fake_read)
    real_sysconf = os.sysconf

    def fake_sysconf(name):
        if name != "SC_NPROCESSORS_ONLN":
            return real_sysconf(name)
        if online is None:
            raise OSError("hidden")
        return online

    monkeypatch.setattr(os, "sysconf", fake_sysconf)
    return read


def test_x86_reads_no_cpufreq_file(monkeypatch: pytest.MonkeyPatch):
    files = {
        "/etc/os-release": recorded("os-release-debian12"),
        "/usr/lib/os-release": "ID=unread\n",
        "/proc/cpuinfo": recorded("cpuinfo-x86_64-xeon"),
        "/proc/meminfo": recorded("meminfo-x86_64"),
        f"{CPU}/cpu0/cpufreq/cpuinfo_max_freq": "3000000\n",
    }
    read = fake_machine(monkeypatch, files, 2)
    facts = context_facts.gather()
    assert facts["online_cpus"] == 2
    assert facts["files"] == {
        path: files[path] for path in ("/etc/os-release", "/proc/cpuinfo", "/proc/meminfo")
    }
    assert read == ["/etc/os-release", "/proc/cpuinfo", "/proc/meminfo"]


def test_a_cpu_mhz_key_of_another_name_is_no_frequency(monkeypatch: pytest.MonkeyPatch):
    """s390 prints "cpu MHz static", which the supervisor does not take for "cpu MHz"."""
    files = {
        "/proc/cpuinfo": "processor 0: version = FF\ncpu MHz static  : 5200\n",
        f"{CPU}/cpu0/cpufreq/cpuinfo_max_freq": "5200000\n",
    }
    fake_machine(monkeypatch, files, 1)
    assert context_facts.gather()["files"] == files


def test_termux_phone_records_each_cores_frequency(monkeypatch: pytest.MonkeyPatch):
    """No os-release, no MHz in cpuinfo: the cpufreq files are what names the frequency."""
    files = {
        "/proc/cpuinfo": recorded("cpuinfo-aarch64-android-tensor-g2"),
        "/proc/meminfo": recorded("meminfo-aarch64-android"),
        f"{CPU}/cpu0/cpufreq/cpuinfo_max_freq": "1803000\n",
        f"{CPU}/cpu4/cpufreq/cpuinfo_max_freq": "2348000\n",
        f"{CPU}/cpu6/cpufreq/cpuinfo_max_freq": "0\n",  # not a frequency: the current one is read
        f"{CPU}/cpu6/cpufreq/scaling_cur_freq": "2850000\n",
        f"{CPU}/cpu8/cpufreq/cpuinfo_max_freq": "9999999\n",  # beyond the CPUs online
    }
    read = fake_machine(monkeypatch, files, 8)
    facts = context_facts.gather()
    assert sorted(facts["files"]) == sorted(set(files) - {f"{CPU}/cpu8/cpufreq/cpuinfo_max_freq"})
    assert f"{CPU}/cpu0/cpufreq/scaling_cur_freq" not in read  # the maximum was there
    assert f"{CPU}/cpu1/cpufreq/scaling_cur_freq" in read  # the maximum was hidden


def test_hidden_online_count_records_the_kernels_list(monkeypatch: pytest.MonkeyPatch):
    files = {
        "/proc/cpuinfo": recorded("cpuinfo-aarch64-android-sm8150"),
        f"{CPU}/online": "0-7\n",
        f"{CPU}/cpu7/cpufreq/scaling_cur_freq": "1785600\n",
    }
    monkeypatch.setattr(os, "listdir", lambda path: ["cpu0", "cpu7", "cpufreq", "online"])
    fake_machine(monkeypatch, files, None)
    facts = context_facts.gather()
    assert facts["online_cpus"] is None
    assert facts["files"] == files


def test_nothing_readable_records_no_file_and_fails_nothing(monkeypatch: pytest.MonkeyPatch):
    fake_machine(monkeypatch, {}, None)
    monkeypatch.setattr(os, "listdir", lambda path: (_ for _ in ()).throw(OSError("hidden")))
    monkeypatch.setattr(os, "getcwd", lambda: (_ for _ in ()).throw(OSError("deleted")))
    facts = context_facts.gather()
    assert facts["files"] == {} and facts["cwd"] is None and facts["commands"] == []


def git_or_skip(pytester: pytest.Pytester) -> tuple:
    if pytester.run("git", "--version").ret != 0:
        pytest.skip("git is not installed")
    return ("git", "-c", "user.name=t", "-c", "user.email=t@t")


def answers(cwd: Path) -> Dict[str, str]:
    """The recorded git answers, by the question (the argv after `git -C <cwd>`)."""
    commands = context_facts._git(str(cwd))
    assert all(c["argv"][:3] == ["git", "-C", str(cwd)] for c in commands)
    return {" ".join(c["argv"][3:]): c["stdout"] for c in commands}


def test_git_answers_of_a_repository(tmp_path: Path, pytester: pytest.Pytester):
    git = git_or_skip(pytester)
    assert answers(tmp_path) == {}  # not a repository: status is not even asked
    pytester.run(*git, "-C", str(tmp_path), "init", "-q", "-b", "trunk")
    status = "--no-optional-locks status --porcelain --untracked-files=no"
    assert answers(tmp_path) == {"symbolic-ref --quiet --short HEAD": "trunk\n", status: ""}
    (tmp_path / "f").write_text("1")
    pytester.run(*git, "-C", str(tmp_path), "add", "f")
    pytester.run(*git, "-C", str(tmp_path), "commit", "-qm", "one")
    (tmp_path / "f").write_text("2")
    (tmp_path / "untracked").write_text("")
    recorded_answers = answers(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{40}\n", recorded_answers["rev-parse --verify --quiet HEAD"])
    assert recorded_answers[status] == " M f\n"


def test_a_hanging_git_is_given_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A git that never answers costs the run its git facts, nothing more."""
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nsleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    monkeypatch.setattr(context_facts, "GIT_TIMEOUT_S", 0.2)
    assert context_facts._git(str(tmp_path)) == []  # answered at all: the sleepers were killed
