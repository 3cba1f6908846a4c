"""The report files the user's own pytest command writes, as pytest and its plugins resolve them.

Each attempt of a `blackbox run --max-restarts` is a new pytest session that writes these files
anew (or, when it dies, not at all), so the last attempt's file would hold only its own tests.
The main process names them in its `session_start` record, each with the file's state before
the session: after the attempt the supervisor keeps the file when this attempt wrote it (a file
left from before is not this run's), and at the end it makes the file at the user's path hold
every test of the run (docs/commands/run.md, "Your own reports across restarts").
"""

import os
from typing import List, Optional

import pytest

from .names import exact_bytes


def _absolute(path: str) -> str:
    """The absolute path the writing plugin uses (pytest's junitxml resolves it so)."""
    return os.path.normpath(os.path.abspath(os.path.expanduser(os.path.expandvars(path))))


def _state(path: str) -> Optional[dict]:
    """What identifies the file's content as it is now: None when it does not exist."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return {"size": status.st_size, "mtime_ns": status.st_mtime_ns, "ino": status.st_ino}


def _paths(config: pytest.Config) -> List[tuple]:
    """(kind, path as given) of each report the session will write."""
    option = config.option
    found = []
    xmlpath = getattr(option, "xmlpath", None)  # pytest's --junitxml / --junit-xml
    if xmlpath:
        found.append(("junit", xmlpath))
    if getattr(option, "json_report", False):  # pytest-json-report
        path = getattr(option, "json_report_file", None)  # None: "none", no file
        if path:
            found.append(("json-report", path))
    htmlpath = getattr(option, "htmlpath", None)  # pytest-html's --html
    if htmlpath:
        found.append(("html", htmlpath))
    csv_path = getattr(option, "csv_path", None)  # pytest-csv's --csv
    if csv_path:
        found.append(("csv", csv_path))
    report_log = getattr(option, "reportlog", None)  # pytest-reportlog's --report-log
    if report_log:
        found.append(("report-log", report_log))
    return found


def user_reports(config: pytest.Config) -> List[dict]:
    """The `reports` of `session_start`: [{"kind", "path", "before"}], "path_bytes" beside a
    path that is not UTF-8."""
    reports = []
    try:
        for kind, given in _paths(config):
            path = _absolute(str(given))
            entry = {"kind": kind, "path": path, "before": _state(path)}
            exact = exact_bytes(path)
            if exact is not None:
                entry["path_bytes"] = exact
            reports.append(entry)
    except Exception:  # a plugin's odd option value must not cost the user their run
        pass
    return reports
