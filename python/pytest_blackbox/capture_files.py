"""Where pytest keeps the output it captures, so that it survives the death of the process.

With `--capture=fd` (pytest's default) the output of the phase in progress sits in unlinked
temporary files that die with the process. Their descriptors are named in the `session_start`
record; the supervisor opens them through /proc/<pid>/fd while the process lives, which keeps
the files alive, and reads what the dying test printed after its death. Nothing is done per
test. pytest's internals differ between versions: anything unexpected means no descriptors.
"""

from typing import Dict

import pytest


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
