"""The execution context of a run, gathered in Python for `pytest --blackbox` runs.

`blackbox run` records the context itself; without the supervisor the plugin writes the same
object into run.json, so docs/formats/context.md binds both writers. Every probe degrades to
null (Android/Termux hides parts of /proc and /sys, git may be missing, a CI may set none of its
variables) and none may fail the test run.
"""

import os
import re
import signal
import socket
import subprocess
from typing import Dict, Mapping, Optional

from .ci import detect_ci
from .cpuinfo import CpuInfo, count_cpu_list, parse_cpufreq_khz_as_mhz, parse_cpuinfo
from .cpuinfo import parse_decimal

OS_RELEASE_PATHS = ("/etc/os-release", "/usr/lib/os-release")
GIT_TIMEOUT_S = 2.0
MAX_CPUFREQ_FILES = 256  # beyond this many CPUs, not every cpufreq file is read

_OS_RELEASE_KEY = re.compile(r"[A-Za-z0-9_]+")


def gather(environ: Mapping[str, str] = os.environ) -> dict:
    """The whole context object of run.json, every key present."""
    uname = _try(os.uname)
    hostname = _try(socket.gethostname) or (uname.nodename if uname else None) or None
    cwd = _try(os.getcwd)
    return {
        "hostname": hostname,
        "kernel": {
            "sysname": uname.sysname if uname else None,
            "release": uname.release if uname else None,
            "version": uname.version if uname else None,
        },
        "machine": uname.machine if uname else None,
        "os": _os(),
        "termux_version": environ.get("TERMUX_VERSION") or None,
        "cpu": _cpu(environ),
        "memory_total_bytes": parse_meminfo_total(_read("/proc/meminfo") or ""),
        "cwd": cwd,
        "git": None if cwd is None else git_state(cwd),
        "ci": detect_ci(environ),
    }


def parse_os_release(text: str) -> Dict[str, str]:
    """KEY -> value of an os-release file, unquoted as the shell would (os-release(5))."""
    fields: Dict[str, str] = {}
    for line in text.split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, equals, raw = line.partition("=")
        if not equals or not _OS_RELEASE_KEY.fullmatch(key):
            continue
        value = _shell_word(raw)
        if value is not None:
            fields[key] = value
    return fields


def _shell_word(raw: str) -> Optional[str]:
    """One shell word: quoted segments may follow each other ("a"'b'), an unquoted blank ends
    it (dropping a trailing comment); None for an unterminated quote."""
    value = []
    quote = ""
    i = 0
    while i < len(raw):
        c = raw[i]
        if quote == "'":
            if c == "'":
                quote = ""
            else:
                value.append(c)
        elif quote == '"':
            if c == '"':
                quote = ""
            elif c == "\\" and i + 1 < len(raw) and raw[i + 1] in '"\\$`':
                i += 1
                value.append(raw[i])
            else:
                value.append(c)
        elif c in "'\"":
            quote = c
        elif c == "\\" and i + 1 < len(raw):
            i += 1
            value.append(raw[i])
        elif c in " \t":
            break
        else:
            value.append(c)
        i += 1
    return None if quote else "".join(value)


def parse_meminfo_total(text: str) -> Optional[int]:
    """MemTotal of /proc/meminfo in bytes (the kernel's "kB" are KiB)."""
    for line in text.split("\n"):
        key, colon, value = line.partition(":")
        if colon and key.strip() == "MemTotal":
            number, _, unit = value.strip().partition(" ")
            if number.isascii() and number.isdigit() and unit.strip() == "kB":
                return int(number) * 1024
            return None
    return None


def git_state(cwd: str) -> Optional[dict]:
    """Commit, branch and dirtiness of the work tree holding `cwd`; None outside one."""
    commit = _first_line(_run_git(cwd, "rev-parse", "--verify", "--quiet", "HEAD"))
    # Fails when HEAD is detached, which the null branch then says.
    branch = _first_line(_run_git(cwd, "symbolic-ref", "--quiet", "--short", "HEAD"))
    if commit is None and branch is None:
        return None  # not a repository, or no git: HEAD always has one or the other
    # Untracked files do not count (as for `git describe --dirty`): listing them is also what
    # makes status slow in big trees. --no-optional-locks: never block the user's own git.
    status = _run_git(cwd, "--no-optional-locks", "status", "--porcelain", "--untracked-files=no")
    return {
        "commit": commit,
        "branch": branch,
        "dirty": None if status is None else bool(status.strip()),
    }


def _os() -> dict:
    fields: Dict[str, str] = {}
    for path in OS_RELEASE_PATHS:
        text = _read(path)
        if text is not None:
            fields = parse_os_release(text)
            break
    return {
        "id": fields.get("ID"),
        "name": fields.get("NAME"),
        "version_id": fields.get("VERSION_ID"),
        "pretty_name": fields.get("PRETTY_NAME"),
    }


def _cpu(environ: Mapping[str, str]) -> dict:
    text = _read("/proc/cpuinfo")
    info = parse_cpuinfo(text) if text is not None else CpuInfo(None, None, None, 0)
    count = _cpu_count(info)
    return {
        "model": info.model,
        "vendor": info.vendor,
        "count": count,
        "frequency_mhz": _cpu_mhz(info, count, environ),
    }


def _cpu_count(info: CpuInfo) -> Optional[int]:
    """CPUs online: sysconf, else the kernel's online list, else cpuinfo's processors."""
    online = _try(lambda: os.sysconf("SC_NPROCESSORS_ONLN"))
    if online and online > 0:
        return int(online)
    counted = count_cpu_list(_read("/sys/devices/system/cpu/online") or "")
    if counted:
        return counted
    return info.processors or None


def _cpu_mhz(info: CpuInfo, count: Optional[int], environ: Mapping[str, str]) -> Optional[float]:
    """cpuinfo's MHz (x86), else the fastest core's cpufreq (arm64 prints no MHz).

    As in pytest-monitor, PYTEST_MONITOR_FORCE_CPU_FREQ (non-zero) imposes
    PYTEST_MONITOR_CPU_FREQ, which is also the fallback when nothing can be read.
    """
    configured = parse_decimal((environ.get("PYTEST_MONITOR_CPU_FREQ") or "").strip())
    force = (environ.get("PYTEST_MONITOR_FORCE_CPU_FREQ") or "").strip()
    if force.isascii() and force.isdigit() and int(force) != 0:
        return configured
    if info.mhz is not None:
        return info.mhz
    fastest: Optional[float] = None
    # On big.LITTLE phones cpu0 is a slow core, hence the maximum over all of them.
    for cpu in range(min(count or 1, MAX_CPUFREQ_FILES)):
        directory = f"/sys/devices/system/cpu/cpu{cpu}/cpufreq/"
        mhz = None
        for name in ("cpuinfo_max_freq", "scaling_cur_freq"):
            text = _read(directory + name)
            mhz = parse_cpufreq_khz_as_mhz(text) if text is not None else None
            if mhz is not None:
                break
        if mhz is not None and (fastest is None or mhz > fastest):
            fastest = mhz
    return fastest if fastest is not None else configured


def _run_git(cwd: str, *args: str) -> Optional[str]:
    """A git command's output; None when it fails, is missing or takes over GIT_TIMEOUT_S."""
    try:
        process = subprocess.Popen(
            ("git", "-C", cwd, *args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a timeout kills git and everything it started
        )
    except OSError:
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
    return output.decode("utf-8", "replace")


def _first_line(output: Optional[str]) -> Optional[str]:
    """A one-line answer without its newline; an empty answer counts as none."""
    if output is None:
        return None
    return output.split("\n", 1)[0].strip() or None


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read()
    except OSError:
        return None


def _try(probe):
    try:
        return probe()
    except (OSError, ValueError):
        return None
