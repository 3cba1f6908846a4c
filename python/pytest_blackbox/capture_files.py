"""Where pytest keeps the output it captures, so that it survives the death of the process.

With `--capture=fd` (pytest's default) the output of the phase in progress sits in unlinked
temporary files that die with the process. At session start the descriptors are handed to the
supervisor over its mailbox (a Unix datagram socket named by BLACKBOX_CAPTURE_SOCKET, SCM_RIGHTS):
once sendmsg() returned, the kernel keeps the files open for the supervisor, however soon this
process dies, and the supervisor reads what the dying test printed. The descriptors are also
named in the `session_start` record (the supervisor opens them through /proc/<pid>/fd when
nothing was handed over). Nothing is done per test. pytest's internals differ between
versions: anything unexpected means no descriptors.
"""

import os
from typing import Dict

import pytest

CAPTURE_SOCKET_ENV = "BLACKBOX_CAPTURE_SOCKET"
"""The supervisor's mailbox: "@" and an abstract socket name."""

_HAND_OVER_TIMEOUT_S = 5.0
"""How long a hand-over may wait for room in the mailbox (the supervisor empties it often)."""


def capture_descriptors(config: pytest.Config) -> Dict[str, int]:
    """{"stdout": fd, "stderr": fd} of pytest's global fd capture; {} without one."""
    found: Dict[str, int] = {}
    try:
        manager = config.pluginmanager.getplugin("capturemanager")
        capturing = getattr(manager, "_global_capturing", None)
        for name, attribute in (("stdout", "out"), ("stderr", "err")):
            capture = getattr(capturing, attribute, None)
            tmpfile = getattr(capture, "tmpfile", None)
            if tmpfile is not None and type(capture).__name__.startswith("FDCapture"):
                found[name] = int(tmpfile.fileno())
    except Exception:
        return {}
    return found


def hand_to_supervisor(descriptors: Dict[str, int], stem: str) -> bool:
    """Hand `descriptors` to the supervisor's mailbox, if there is one; never raises.

    One datagram: the text `<stem> <stream>...` and the descriptors in the same order.
    """
    address = os.environ.get(CAPTURE_SOCKET_ENV, "")
    if not descriptors or not address.startswith("@"):
        return False
    import array  # only in a supervised run, once per process
    import socket

    if not hasattr(socket, "SCM_RIGHTS"):
        return False
    names = list(descriptors)
    payload = " ".join([stem] + names).encode("ascii", "replace")
    fds = array.array("i", [descriptors[name] for name in names])
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as mailbox:
            mailbox.settimeout(_HAND_OVER_TIMEOUT_S)
            ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds.tobytes())]
            mailbox.sendmsg([payload], ancillary, 0, "\0" + address[1:])
    except (OSError, ValueError):
        return False
    return True
