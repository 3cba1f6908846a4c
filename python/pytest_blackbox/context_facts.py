"""The facts the execution context is derived from, recorded by `pytest --blackbox` runs.

`blackbox run` gathers the context itself. Without the supervisor, the plugin records what the
supervisor's gatherer reads (files' text, a few variables, git's answers, uname, the working
directory) into run.json's "context_facts", and `blackbox` derives the context from them by the
same rules (docs/formats/run-directory.md, docs/formats/context.md). Nothing is parsed here.
A fact that cannot be had is left out, and no probe may fail the test run.
"""

import os
import re
import signal
import socket
import subprocess
from typing import Dict, List, Mapping, Optional

OS_RELEASE_PATHS = ("/etc/os-release", "/usr/lib/os-release")
CPU_DIR = "/sys/devices/system/cpu"
MAX_CPUFREQ_FILES = 256  # beyond this many CPUs, the supervisor reads no more cpufreq files
MAX_FILE_BYTES = 1024 * 1024  # /proc/cpuinfo of a 1000-CPU machine is about 1.5 MiB
GIT_TIMEOUT_S = 2.0
MAX_OUTPUT_BYTES = 64 * 1024  # of a command's output, as the supervisor keeps
CPU_MHZ_LINE = re.compile(r"^[ \t]*cpu MHz[ \t]*:", re.MULTILINE)  # not s390's "cpu MHz static"

# The variables the context reads (docs/formats/context.md): Termux, pytest-monitor's frequency,
# and every CI system's (one system a line: GitHub Actions, GitLab CI, CircleCI, Travis CI,
# Buildkite, Drone, Azure Pipelines, Bitbucket Pipelines, Jenkins).
# tests/python/test_context_facts.py holds this list to the supervisor's.
VARIABLES = tuple(
    """
    TERMUX_VERSION PYTEST_MONITOR_CPU_FREQ PYTEST_MONITOR_FORCE_CPU_FREQ CI
    GITHUB_ACTIONS GITHUB_RUN_ID GITHUB_RUN_ATTEMPT GITHUB_HEAD_REF GITHUB_REF GITHUB_REF_NAME
        GITHUB_REF_TYPE GITHUB_SHA GITHUB_SERVER_URL GITHUB_REPOSITORY
    GITLAB_CI CI_PIPELINE_ID CI_MERGE_REQUEST_SOURCE_BRANCH_NAME CI_COMMIT_BRANCH CI_COMMIT_SHA
        CI_JOB_URL CI_PIPELINE_URL
    CIRCLECI CIRCLE_BUILD_NUM CIRCLE_BRANCH CIRCLE_SHA1 CIRCLE_BUILD_URL
    TRAVIS TRAVIS_BUILD_NUMBER TRAVIS_PULL_REQUEST_BRANCH TRAVIS_BRANCH TRAVIS_COMMIT
        TRAVIS_JOB_WEB_URL TRAVIS_BUILD_WEB_URL
    BUILDKITE BUILDKITE_BUILD_NUMBER BUILDKITE_BRANCH BUILDKITE_COMMIT BUILDKITE_BUILD_URL
    DRONE DRONE_BUILD_NUMBER DRONE_SOURCE_BRANCH DRONE_BRANCH DRONE_COMMIT_BRANCH DRONE_COMMIT_SHA
        DRONE_COMMIT DRONE_BUILD_LINK
    TF_BUILD BUILD_BUILDID SYSTEM_PULLREQUEST_SOURCEBRANCH BUILD_SOURCEBRANCH BUILD_SOURCEVERSION
        SYSTEM_COLLECTIONURI SYSTEM_TEAMFOUNDATIONCOLLECTIONURI SYSTEM_TEAMPROJECT
    BITBUCKET_BUILD_NUMBER BITBUCKET_BRANCH BITBUCKET_COMMIT BITBUCKET_REPO_FULL_NAME
    JENKINS_URL JOB_NAME BUILD_NUMBER BUILD_ID BUILD_URL CHANGE_BRANCH BRANCH_NAME GIT_BRANCH
        GIT_COMMIT
    """.split()
)

# The supervisor's git questions, in its order; `git -C <cwd>` precedes each.
GIT_COMMANDS = (
    ("rev-parse", "--verify", "--quiet", "HEAD"),
    # Fails when HEAD is detached, which the null branch then says.
    ("symbolic-ref", "--quiet", "--short", "HEAD"),
    # Untracked files do not count: listing them is what makes status slow in big trees.
    # --no-optional-locks: never block the user's own git.
    ("--no-optional-locks", "status", "--porcelain", "--untracked-files=no"),
)


def gather(environ: Mapping[str, str] = os.environ) -> dict:
    """run.json's "context_facts": every member present, unreadable facts left out or null."""
    uname = _try(os.uname)
    online = _try(lambda: os.sysconf("SC_NPROCESSORS_ONLN"))
    online = online if isinstance(online, int) and online > 0 else None
    cwd = _try(os.getcwd)
    return {
        "uname": (
            None
            if uname is None
            else {
                "sysname": uname.sysname,
                "nodename": uname.nodename,
                "release": uname.release,
                "version": uname.version,
                "machine": uname.machine,
            }
        ),
        "hostname": _try(socket.gethostname) or None,
        "online_cpus": online,
        "cwd": cwd,
        "files": _files(online),
        "environ": {name: environ[name] for name in VARIABLES if name in environ},
        "commands": [] if cwd is None else _git(cwd),
    }


def _files(online: Optional[int]) -> Dict[str, str]:
    """The text of the files the supervisor reads, by path; unreadable ones are left out."""
    files: Dict[str, str] = {}

    def record(path: str) -> Optional[str]:
        text = _read(path)
        if text is not None:
            files[path] = text
        return text

    for path in OS_RELEASE_PATHS:
        if record(path) is not None:
            break  # the first readable one is the one read
    cpuinfo = record("/proc/cpuinfo")
    record("/proc/meminfo")
    if online is None:
        record(CPU_DIR + "/online")
    # x86 prints the frequency in cpuinfo, and then cpufreq is never read; arm64 prints none.
    if cpuinfo is None or not CPU_MHZ_LINE.search(cpuinfo):
        for cpu in range(_cpus_to_read(online)):
            directory = f"{CPU_DIR}/cpu{cpu}/cpufreq/"
            if not _positive_number(record(directory + "cpuinfo_max_freq")):
                record(directory + "scaling_cur_freq")  # where the maximum is hidden
    return files


def _cpus_to_read(online: Optional[int]) -> int:
    """How many cpuN directories may hold a cpufreq file the supervisor reads."""
    if online is None:  # then the supervisor counts from files: take every CPU the kernel lists
        listed = _try(lambda: os.listdir(CPU_DIR)) or []
        numbers = [int(name[3:]) for name in listed if name[:3] == "cpu" and name[3:].isdigit()]
        online = max(numbers) + 1 if numbers else MAX_CPUFREQ_FILES
    return min(online, MAX_CPUFREQ_FILES)


def _positive_number(text: Optional[str]) -> bool:
    digits = (text or "").strip().lstrip("0")
    return digits.isascii() and digits.isdigit()


def _git(cwd: str) -> List[dict]:
    """The successful answers to the supervisor's git questions: [{argv, stdout}]."""
    commands = []
    for args in GIT_COMMANDS:
        if args == GIT_COMMANDS[-1] and not commands:
            break  # neither a commit nor a branch: not a repository, or no git
        argv = ["git", "-C", cwd, *args]
        output = _run(argv)
        if output is not None:
            commands.append({"argv": argv, "stdout": output})
    return commands


def _run(argv: List[str]) -> Optional[str]:
    """A command's output; None when it fails, is missing or takes over GIT_TIMEOUT_S."""
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a timeout kills git and everything it started
        )
    except (OSError, ValueError):
        return None
    try:
        output, _ = process.communicate(timeout=GIT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        process.communicate()
        return None
    if process.returncode != 0:
        return None
    return output[:MAX_OUTPUT_BYTES].decode("utf-8", "replace")


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read(MAX_FILE_BYTES)
    except (OSError, ValueError):
        return None


def _try(probe):
    try:
        return probe()
    except (OSError, ValueError):
        return None
