"""The recorder's system calls stubbed out (loaded through PYTEST_PLUGINS by overhead.py, before
the recorder, for its `python` part): what selftime_plugin.py then times is the recorder's own
Python, the part its code decides, apart from the kernel's share, which varies with the
machine's load. Journal writes and the memory mark's reset return at once, getrusage() gives
the same figures every time and the /proc reads give fixed lines. The journal it leaves is
not a real one.
"""

import os
import resource
import types

from pytest_blackbox import journal, memory

_USAGE = resource.getrusage(resource.RUSAGE_SELF)
_SCHEDSTAT = b"123456789 23456 789\n"
_STATM = b"10000 2000 300 4 0 500 0\n"


def _write(fd, data):
    return len(data)


def _pread(fd, size, offset):
    return _SCHEDSTAT if size == 96 else _STATM


def _getrusage(who):
    return _USAGE


_proxy = types.SimpleNamespace(**{name: getattr(os, name) for name in dir(os) if name[:2] != "__"})
_proxy.write = _write
_proxy.pread = _pread
memory.os = _proxy
journal.os = _proxy
memory._write = _write
memory._pread = _pread
memory._getrusage = _getrusage
