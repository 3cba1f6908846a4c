"""What the xdist controller can learn about one of its workers (docs/formats/journal.md).

Everything here is best effort over xdist and execnet internals: a missing attribute yields None,
never an error.
"""

import time
from typing import Optional, Tuple


def worker_id(node: object) -> str:
    """The worker id (`gw0`…) of an xdist WorkerController."""
    gateway_id = getattr(getattr(node, "gateway", None), "id", None)
    if gateway_id:
        return str(gateway_id)
    workerinput = getattr(node, "workerinput", None)
    if isinstance(workerinput, dict) and workerinput.get("workerid"):
        return str(workerinput["workerid"])
    return "?"


def exit_status(node: object, wait_s: float) -> Tuple[Optional[int], Optional[int]]:
    """(exit code, terminating signal) of a worker process, (None, None) when unknown.

    execnet starts a local worker with subprocess.Popen and keeps it as `gateway._io.popen`.
    poll() reaps the process; Popen caches the status, so execnet's own wait() still gets it.
    A worker that has not exited within `wait_s` seconds is reported as unknown.
    """
    try:
        popen = getattr(getattr(getattr(node, "gateway", None), "_io", None), "popen", None)
        poll = getattr(popen, "poll", None)
        if poll is None:
            return None, None
        deadline = time.monotonic() + wait_s
        returncode = poll()
        while returncode is None and time.monotonic() < deadline:
            time.sleep(0.01)
            returncode = poll()
    except Exception:  # execnet internals differ between versions: never fail the controller
        return None, None
    if not isinstance(returncode, int):
        return None, None
    if returncode < 0:
        return None, -returncode
    return returncode, None
