"""Resuming a run after pytest died: the tests of earlier attempts are not run again.

Before a restart the supervisor writes the node ids of every test that already finished or
crashed to `resume/<attempt>.txt` in the run directory, one per line. The plugin deselects them
(as `-k` would: pytest reports them as deselected), so across all attempts each test body runs
at most once. Under xdist every worker reads the same file, so all collect the same items.
"""

from pathlib import Path
from typing import List, Set, Tuple

import pytest


def skip_list(run_dir: Path, attempt: int) -> Set[str]:
    """The node ids not to run in `attempt` (empty for the first attempt, or without a file)."""
    if attempt <= 1:
        return set()
    try:
        text = (run_dir / "resume" / f"{attempt}.txt").read_text(encoding="utf-8", errors="replace")
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
