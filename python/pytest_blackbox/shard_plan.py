"""Running one shard of a plan made by `blackbox plan` (docs/formats/plan.md).

`--blackbox-shard-plan FILE --blackbox-shard K` keeps the tests the plan puts in shard K (1-based)
and deselects the others, as `-k` would: pytest reports them as deselected. A collected test the
plan does not know (added since the plan was made) goes to the shard with the least duration so
far, counting the plan's average duration for it, in collection order: every shard's job collects
the same suite, so every job places it the same way and each test runs in exactly one shard.

When the plan isolates heavy tests, they get `pytest.mark.xdist_group("blackbox-heavy")`, so that
under `--dist loadgroup` one worker runs them, one at a time. This runs before pytest-xdist's
workers append `@blackbox-heavy` to their node ids; the journal records pytest's own ids anyway.
Active in any pytest process given the options, recording or not.
"""

import json
from typing import Dict, List, Optional

import pytest

SHARD_PLAN_HELP = "a plan file written by `blackbox plan`: run one of its shards"
SHARD_HELP = "the shard of --blackbox-shard-plan to run, from 1"
SELECTOR_NAME = "blackbox-shard"


def add_options(group) -> None:
    """Add --blackbox-shard-plan and --blackbox-shard."""
    group.addoption("--blackbox-shard-plan", metavar="FILE", default=None, help=SHARD_PLAN_HELP)
    group.addoption("--blackbox-shard", metavar="K", type=int, default=None, help=SHARD_HELP)


def configure(config: pytest.Config) -> None:
    """Register the shard selector when both options are given; a usage error for one alone,
    an unreadable plan or a shard it does not have."""
    path = config.getoption("--blackbox-shard-plan")
    shard = config.getoption("--blackbox-shard")
    if path is None and shard is None:
        return
    if path is None or shard is None:
        raise pytest.UsageError("--blackbox-shard-plan and --blackbox-shard go together")
    plan = _load(path)
    shards = plan.get("shards")
    if not isinstance(shards, list) or not 1 <= shard <= len(shards):
        count = len(shards) if isinstance(shards, list) else 0
        raise pytest.UsageError(f"--blackbox-shard {shard}: the plan {path} has {count} shards")
    config.pluginmanager.register(ShardSelector(plan, shard - 1), SELECTOR_NAME)


def _load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as file:
            plan = json.load(file)
    except (OSError, ValueError) as error:
        raise pytest.UsageError(f"--blackbox-shard-plan: cannot read {path}: {error}")
    if not isinstance(plan, dict) or plan.get("format") != "blackbox-plan":
        raise pytest.UsageError(f"--blackbox-shard-plan: {path} is not a blackbox plan")
    return plan


class ShardSelector:
    """Keeps one shard's tests."""

    def __init__(self, plan: dict, index: int):
        self.index = index
        self.shard_of: Dict[str, int] = {}
        self.durations: List[float] = []
        for k, shard in enumerate(plan["shards"]):
            self.durations.append(float(shard.get("duration_s") or 0))
            for nodeid in shard.get("tests", ()):
                self.shard_of[nodeid] = k
        self.average = float(plan.get("average_duration_s") or 0)
        heavy = plan.get("isolate_heavy")
        self.group: Optional[str] = heavy.get("group") if isinstance(heavy, dict) else None
        self.heavy = {nodeid for shard in plan["shards"] for nodeid in shard.get("heavy", ())}

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: List[pytest.Item]):
        """Deselect the other shards' tests; mark the heavy ones for --dist loadgroup.

        First among the hooks: before pytest-xdist decorates node ids with their group, and on
        the whole collection, so that every shard's job places unknown tests alike.
        """
        durations = list(self.durations)
        keep, drop = [], []
        for item in items:
            shard = self.shard_of.get(item.nodeid)
            if shard is None:
                shard = min(range(len(durations)), key=lambda k: (durations[k], k))
                durations[shard] += self.average
            if shard != self.index:
                drop.append(item)
                continue
            if self.group and item.nodeid in self.heavy:
                item.add_marker(pytest.mark.xdist_group(self.group))
            keep.append(item)
        if drop:
            items[:] = keep
            config.hook.pytest_deselected(items=drop)
