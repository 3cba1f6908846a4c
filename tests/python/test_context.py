"""The execution context of `pytest --blackbox` runs: the same object the supervisor records.

The recorded /proc and os-release files are the supervisor's test data, so both readers are
held to the same answers (docs/formats/context.md).
"""

import os
from pathlib import Path

import pytest
from pytest_blackbox import context
from pytest_blackbox.ci import detect_ci
from pytest_blackbox.cpuinfo import count_cpu_list, parse_cpufreq_khz_as_mhz, parse_cpuinfo

RECORDED = Path(__file__).resolve().parents[1] / "unit" / "data" / "context"


def recorded(name: str) -> str:
    return (RECORDED / name).read_text()


@pytest.mark.parametrize(
    "name, model, vendor, mhz, processors",
    [
        ("cpuinfo-x86_64-xeon", "Intel(R) Xeon(R) Processor", "GenuineIntel", 2600.0, 2),
        (
            "cpuinfo-aarch64-android-sm8150",
            "Qualcomm Technologies, Inc SM8150",
            "Qualcomm",
            None,
            8,
        ),
        (
            "cpuinfo-aarch64-android-tensor-g2",
            "Cortex-A55 + Cortex-A78 + Cortex-X1",
            "ARM",
            None,
            8,
        ),
    ],
)
def test_recorded_cpuinfo_names_the_processor(name, model, vendor, mhz, processors):
    assert parse_cpuinfo(recorded(name)) == (model, vendor, mhz, processors)


def test_arm_cores_unknown_generic_and_old_kernels():
    unknown = parse_cpuinfo("processor\t: 0\nCPU implementer\t: 0x4e\nCPU part\t: 0x004\n")
    assert (unknown.model, unknown.vendor) == ("NVIDIA part 0x004", "NVIDIA")
    odd = parse_cpuinfo("processor\t: 0\nCPU implementer\t: 0x99\nCPU part\t: 0x123\n")
    assert (odd.model, odd.vendor) == ("0x99 part 0x123", "0x99")
    generic = parse_cpuinfo(
        "processor\t: 0\nmodel name\t: ARMv7 Processor rev 3 (v7l)\n"
        "CPU implementer\t: 0x41\nCPU part\t: 0xd08\n"
    )
    assert generic.model == "Cortex-A72"
    old = parse_cpuinfo("Processor\t: AArch64 Processor rev 4 (aarch64)\nprocessor\t: 0\n")
    assert (old.model, old.processors) == ("AArch64 Processor rev 4 (aarch64)", 1)
    for garbled in ("", "\n\n", "no colon here\n:\n\x01\x02", "cpu MHz\t: fast\n"):
        assert parse_cpuinfo(garbled) == (None, None, None, 0)


def test_cpu_lists_and_cpufreq_files():
    assert [count_cpu_list(t) for t in ("0-1\n", "0", "0-3,5,7-8\n")] == [2, 1, 7]
    assert [count_cpu_list(t) for t in ("", "\n", "3-1", "0-", "a-b", "0,,1")] == [None] * 6
    assert parse_cpufreq_khz_as_mhz("2850000\n") == 2850.0
    assert parse_cpufreq_khz_as_mhz("1803500") == 1803.5
    assert parse_cpufreq_khz_as_mhz("0\n") is None and parse_cpufreq_khz_as_mhz("<x>") is None


def test_os_release_is_unquoted_as_the_shell_would():
    debian = context.parse_os_release(recorded("os-release-debian12"))
    assert debian["PRETTY_NAME"] == "Debian GNU/Linux 12 (bookworm)"
    assert debian["VERSION_ID"] == "12"
    alpine = context.parse_os_release(recorded("os-release-alpine-unquoted"))
    assert (alpine["ID"], alpine["VERSION_ID"]) == ("alpine", "3.19.1")
    fields = context.parse_os_release(
        "A='single \"quoted\" $x'\n"
        'B="double \\"quoted\\" \\$x \\\\ \\n"\n'
        "C=un\\ quoted\n"
        "D=\"joined\"' words'\n"
        "E=\n"
        '# comment\nNOT AN ASSIGNMENT\nBAD-KEY=x\n=x\nOPEN="never closed\n'
        "ID=arch # trailing comment\r\n"
    )
    assert fields == {
        "A": 'single "quoted" $x',
        "B": 'double "quoted" $x \\ \\n',
        "C": "un quoted",
        "D": "joined words",
        "E": "",
        "ID": "arch",
    }


def test_meminfo_total_is_in_bytes():
    assert context.parse_meminfo_total(recorded("meminfo-x86_64")) % 1024 == 0
    assert context.parse_meminfo_total("MemTotal:       2048 kB\n") == 2048 * 1024
    assert context.parse_meminfo_total("MemTotal: lots\n") is None


GITHUB = {
    "CI": "true",
    "GITHUB_ACTIONS": "true",
    "GITHUB_RUN_ID": "7360154831",
    "GITHUB_RUN_ATTEMPT": "2",
    "GITHUB_REF": "refs/heads/feature/speed",
    "GITHUB_REF_NAME": "feature/speed",
    "GITHUB_REF_TYPE": "branch",
    "GITHUB_HEAD_REF": "",
    "GITHUB_SHA": "ffac537e",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "octo/widgets",
}


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, None),
        (
            GITHUB,
            {
                "name": "github-actions",
                "build": "7360154831",
                "branch": "feature/speed",
                "commit": "ffac537e",
                "url": "https://github.com/octo/widgets/actions/runs/7360154831/attempts/2",
            },
        ),
        (
            {"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/tags/v1", "GITHUB_REF_TYPE": "tag"},
            {"name": "github-actions", "build": None, "branch": None, "commit": None, "url": None},
        ),
        (
            {
                "TF_BUILD": "True",
                "BUILD_BUILDID": "20311",
                "BUILD_SOURCEBRANCH": "refs/heads/users/ann/fix",
                "BUILD_SOURCEVERSION": "5e1f",
                "SYSTEM_COLLECTIONURI": "https://dev.azure.com/acme/",
                "SYSTEM_TEAMPROJECT": "Widget Team",
            },
            {
                "name": "azure-pipelines",
                "build": "20311",
                "branch": "users/ann/fix",
                "commit": "5e1f",
                "url": "https://dev.azure.com/acme/Widget%20Team/_build/results?buildId=20311",
            },
        ),
        (
            {"BITBUCKET_BUILD_NUMBER": "57", "BITBUCKET_REPO_FULL_NAME": "team/widgets"},
            {
                "name": "bitbucket-pipelines",
                "build": "57",
                "branch": None,
                "commit": None,
                "url": "https://bitbucket.org/team/widgets/addon/pipelines/home#!/results/57",
            },
        ),
        (
            {"JENKINS_URL": "http://ci", "BUILD_NUMBER": "9", "GIT_BRANCH": "origin/main"},
            {"name": "jenkins", "build": "9", "branch": "main", "commit": None, "url": None},
        ),
        ({"BUILD_NUMBER": "9"}, None),
        (
            {"CI": "woodpecker"},
            {"name": "generic", **dict.fromkeys(["build", "branch", "commit", "url"])},
        ),
    ],
)
def test_ci_detection_follows_the_shared_table(env, expected):
    assert detect_ci(env) == expected


@pytest.mark.parametrize("no", ["false", "False", "0", "no", ""])
def test_ci_false_or_empty_is_no_ci(no):
    assert detect_ci({"CI": no}) is None
    assert detect_ci({"GITHUB_ACTIONS": "false"}) is None


def test_git_state_of_a_repository(tmp_path: Path, pytester: pytest.Pytester):
    if pytester.run("git", "--version").ret != 0:
        pytest.skip("git is not installed")
    assert context.git_state(str(tmp_path)) is None
    git = ("git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t")
    pytester.run(*git, "init", "-q", "-b", "trunk")
    assert context.git_state(str(tmp_path)) == {"commit": None, "branch": "trunk", "dirty": False}
    (tmp_path / "f").write_text("1")
    pytester.run(*git, "add", "f")
    pytester.run(*git, "commit", "-qm", "one")
    state = context.git_state(str(tmp_path))
    assert state["branch"] == "trunk" and len(state["commit"]) == 40 and not state["dirty"]
    (tmp_path / "f").write_text("2")
    assert context.git_state(str(tmp_path))["dirty"] is True


def test_gathered_context_has_every_key(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TERMUX_VERSION", "")
    gathered = context.gather()
    assert list(gathered) == [
        "hostname",
        "kernel",
        "machine",
        "os",
        "termux_version",
        "cpu",
        "memory_total_bytes",
        "cwd",
        "git",
        "ci",
    ]
    assert gathered["termux_version"] is None and gathered["cwd"] == os.getcwd()
    assert gathered["cpu"]["count"] == os.cpu_count()
