"""Under pytest-xdist's scope-based schedulers, a crashed test is not run a second time.

With `--dist loadscope`, `loadfile` or `loadgroup`, xdist (3.x) puts the whole work unit of a
crashed worker back in the queue, the test that crashed included: the replacement worker runs
it again, crashes again, and the session can hang or end in "maximum crashed workers reached".
`--dist load` re-queues everything but the crashed test. This makes the scope schedulers do the
same: before xdist re-queues a dead worker's work, the test it was running is marked completed,
and xdist still reports it as the crashed test.
"""

from typing import Any, Optional


def _crashed_test(assigned: dict, node: Any) -> Optional[tuple]:
    """(work unit, node id) of the first uncompleted test of `node`'s work: the one it was
    running when it died (xdist's own rule); None when it had nothing pending."""
    for unit in (assigned.get(node) or {}).values():
        for nodeid, completed in unit.items():
            if not completed:
                return unit, nodeid
    return None


def prevent_rerun_of_crashed_tests(scheduler: Any) -> bool:
    """Wrap `scheduler.remove_node` when it has xdist's scope-scheduler shape; True if wrapped."""
    assigned = getattr(scheduler, "assigned_work", None)
    original = getattr(scheduler, "remove_node", None)
    if not isinstance(assigned, dict) or original is None:
        return False

    def remove_node(node):
        crashed = None
        try:
            found = _crashed_test(assigned, node)
            if found is not None:
                unit, crashed = found
                unit[crashed] = True
        except Exception:  # an xdist whose structures differ: its own behaviour
            crashed = None
        result = original(node)
        return crashed if crashed is not None else result

    scheduler.remove_node = remove_node
    return True
