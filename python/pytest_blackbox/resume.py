"""Resuming a run after pytest died: the tests of earlier attempts are not run again.

Before a restart the supervisor writes the node ids of every test that already finished or
crashed to `resume/<attempt>.txt` in the run directory, one per line. The plugin deselects them
(as `-k` would: pytest reports them as deselected), so across all attempts each test body runs
at most once. Under xdist every worker reads the same file, so all collect the same items.

A command that runs pytest more than once (`bash -c "pytest a; pytest b"`) runs several pytest
sessions one after the other, and each attempt runs them all again: the supervisor lists each
later session's tests apart (`resume/<attempt>-<session>.txt`, session 2 on), so that a session
skips only what it ran itself, not a test of the same node id another session ran.
"""

import os
from pathlib import Path
from typing import List, Set, Tuple

import pytest


def session_number(run_dir: Path, attempt: int) -> int:
    """Which pytest session of the command this process records for, from 1: the main journals
    of this attempt in the run directory, its own (or, in an xdist worker, its controller's) and
    those of the sessions before it, which ran first."""
    prefix = f"{attempt}-main-"
    try:
        names = os.listdir(run_dir / "journal")
    except OSError:
        return 1
    return max(1, sum(1 for name in names if name.startswith(prefix) and name.endswith(".jsonl")))


def skip_list(run_dir: Path, attempt: int) -> Set[str]:
    """The node ids not to run in `attempt` (empty for the first attempt, or without a file)."""
    if attempt <= 1:
        return set()
    session = session_number(run_dir, attempt)
    name = f"{attempt}.txt" if session == 1 else f"{attempt}-{session}.txt"
    try:
        text = (run_dir / "resume" / name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    return {line for line in text.split("\n") if line}


def split(
    items: List[pytest.Item], done: Set[str], undecorated: dict
) -> Tuple[List[pytest.Item], List[pytest.Item]]:
    """(items to run, items that ran in an earlier attempt), in collection order."""
    keep, drop = [], []
    for item in items:
        nodeid = undecorated.get(item.nodeid, item.nodeid)
        (drop if nodeid in done else keep).append(item)
    return keep, drop
