"""The lifetime peak RSS of a pytest process that records (loaded through PYTEST_PLUGINS by
overhead.py, before the recorder).

The recorder resets the kernel's high-water mark at every test (/proc/self/clear_refs), so
getrusage's ru_maxrss at the end says only the peak since the last test started. This module
reads VmHWM just before every reset and once at exit, and writes the largest, in KiB, to
$BLACKBOX_PEAK_OUT: with the final ru_maxrss that wait4() gives, the process's peak.
"""

import atexit
import os
import types

from pytest_blackbox import memory

_peak_kib = [0]
_RESET = b"5"


def _vm_hwm_kib() -> int:
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _write(fd, data):
    if data == _RESET:
        _peak_kib[0] = max(_peak_kib[0], _vm_hwm_kib())
    return os.write(fd, data)


def _save() -> None:
    out = os.environ.get("BLACKBOX_PEAK_OUT")
    if out:
        with open(out, "w") as handle:
            handle.write(str(max(_peak_kib[0], _vm_hwm_kib())))


_proxy = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if name[:2] != "__"})
_proxy.write = _write
memory.os = _proxy
memory._write = _write
atexit.register(_save)
