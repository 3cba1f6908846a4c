"""Leak sentinels: what a test left behind in its process (docs/prevention.md).

After each test's protocol (its teardown done, its fixtures' values dropped), four kinds of
resource are compared with where they stood after the previous test: open file descriptors,
Python threads, child processes, and — only when `matplotlib.pyplot` is already imported —
open figures. More than before means the test left them behind; fewer (a module fixture torn
down, a thread that finally ended) lowers the baseline. A fixture broader than a function is
not a leak of the test whose setup opened it: the baseline is taken again after such a fixture
is set up (`rebase`).

The common case — nothing changed — costs one fstat() (Linux ≥ 6.2 gives the number of open
descriptors as the size of /proc/self/fd; older kernels: a listing), one read of the threads'
count, one pread() of /proc/self/task/<pid>/children through a descriptor kept open, and one
dict look-up. The names of what was left (descriptor targets, thread names, child commands,
figure numbers) are read only when a count went up.

Descriptors are counted, so a test that closes one descriptor and opens another is clean;
threads are Python's (threading), not native threads of C libraries; children are the
process's direct children, zombies included (a child never waited for is left behind too).
"""

import os
import sys
import threading
from typing import Dict, List, Optional, Set, Tuple

KINDS = ("fds", "threads", "children", "figures")
"""The kinds of leftovers, in the order the journal and the reports list them."""

NAMES_KEPT = 10
"""At most this many leftovers of one kind are named per test (all are counted)."""

_FD_DIR = "/proc/self/fd"
_fstat = os.fstat
_pread = os.pread
_active_count = threading.active_count
_modules = sys.modules


class Sentinels:
    """The baseline of each kind, and the check after each test."""

    __slots__ = (
        "_fd_dir",
        "_fd_count",
        "_fds",
        "_threads",
        "_thread_count",
        "_children_fd",
        "_children_text",
        "_children",
        "_figures",
    )

    def __init__(self) -> None:
        try:
            # Linux ≥ 6.2 reports the number of open descriptors as the directory's size; an
            # fstat() of the directory kept open saves the path's look-up.
            self._fd_dir = os.open(_FD_DIR, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            if _fstat(self._fd_dir).st_size <= 0:
                os.close(self._fd_dir)
                self._fd_dir = -1
        except OSError:
            self._fd_dir = -1
        try:
            self._children_fd = os.open(
                f"/proc/self/task/{os.getpid()}/children", os.O_RDONLY | os.O_CLOEXEC
            )
        except OSError:  # CONFIG_PROC_CHILDREN off, or /proc hidden: no children sentinel
            self._children_fd = -1
        self._fd_count = -1
        self._fds: Set[str] = set()
        self._threads: Dict[int, str] = {}
        self._thread_count = 0
        self._children_text = b""
        self._children: Set[int] = set()
        self._figures: List[int] = []
        self.rebase()

    def rebase(self) -> None:
        """Take every baseline again: what exists now is nobody's leak."""
        self._fd_count = self._count_fds()
        self._fds = _open_fds()
        self._thread_count = _active_count()
        self._threads = _threads()
        self._children_text = self._read_children()
        if self._thread_count > 1:
            self._children_text += _other_threads_children()
        self._children = _pids(self._children_text)
        self._figures = _figures()

    def check(self) -> Optional[Tuple[Dict[str, int], Dict[str, List[str]]]]:
        """After a test: (count, names) per kind that went up, or None when none did."""
        counts: Dict[str, int] = {}
        names: Dict[str, List[str]] = {}
        fd_count = self._count_fds()
        if fd_count != self._fd_count:
            fds = _open_fds()
            if fd_count > self._fd_count:
                new = sorted(fds - self._fds, key=int)
                counts["fds"] = fd_count - self._fd_count
                names["fds"] = [_fd_target(fd) for fd in new[:NAMES_KEPT]]
            self._fd_count, self._fds = fd_count, fds
        thread_count = _active_count()
        if thread_count != self._thread_count:
            threads = _threads()
            if thread_count > self._thread_count:
                new_threads = [
                    name for ident, name in threads.items() if ident not in self._threads
                ]
                counts["threads"] = thread_count - self._thread_count
                names["threads"] = new_threads[:NAMES_KEPT]
            self._thread_count, self._threads = thread_count, threads
        text = self._read_children()
        if thread_count > 1:
            text += _other_threads_children()
        if text != self._children_text:
            children = _pids(text)
            new_pids = sorted(children - self._children)
            if new_pids:
                counts["children"] = len(new_pids)
                names["children"] = [_child(pid) for pid in new_pids[:NAMES_KEPT]]
            self._children_text, self._children = text, children
        pyplot = _modules.get("matplotlib.pyplot")
        if pyplot is not None or self._figures:
            figures = _figures()
            new_figures = [num for num in figures if num not in self._figures]
            if new_figures:
                counts["figures"] = len(new_figures)
                names["figures"] = [f"Figure {num}" for num in new_figures[:NAMES_KEPT]]
            self._figures = figures
        return (counts, names) if counts else None

    def close(self) -> None:
        """Close the descriptors kept open (the recording ends)."""
        for fd in (self._children_fd, self._fd_dir):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._children_fd = self._fd_dir = -1

    def _count_fds(self) -> int:
        """How many descriptors are open (give or take a constant: only changes count)."""
        if self._fd_dir >= 0:
            try:
                return _fstat(self._fd_dir).st_size
            except OSError:
                return 0
        try:
            return len(os.listdir(_FD_DIR))  # one more: the listing's own descriptor
        except OSError:
            return 0

    def _read_children(self) -> bytes:
        if self._children_fd < 0:
            return b""
        try:
            return _pread(self._children_fd, 65536, 0)
        except OSError:
            return b""


def _open_fds() -> Set[str]:
    """The process's open descriptors, without the one the listing itself used."""
    try:
        listed = os.listdir(_FD_DIR)
    except OSError:
        return set()
    fds = set()
    for name in listed:
        try:
            os.fstat(int(name))
        except (OSError, ValueError):
            continue  # the listing's own descriptor, closed by now
        fds.add(name)
    return fds


def _fd_target(fd: str) -> str:
    try:
        return f"{fd} -> {os.readlink(f'{_FD_DIR}/{fd}')}"
    except OSError:
        return fd


def _threads() -> Dict[int, str]:
    return {thread.ident or 0: thread.name for thread in threading.enumerate()}


def _other_threads_children() -> bytes:
    """The children started from threads other than the main one (rare: read only when the
    process has more than one Python thread)."""
    text = b""
    main = os.getpid()
    for thread in threading.enumerate():
        tid = getattr(thread, "native_id", None)
        if tid is None or tid == main:
            continue
        try:
            with open(f"/proc/self/task/{tid}/children", "rb") as children:
                text += children.read()
        except OSError:
            continue
    return text


def _pids(text: bytes) -> Set[int]:
    return {int(word) for word in text.split()}


def _child(pid: int) -> str:
    """ "<pid> <command line>" (a zombie has none: its name then). The command line, not the
    name: the kernel sets a new program's name after it has closed its close-on-exec
    descriptors, so a parent may still read the old one right after Popen returned."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            words = cmdline.read(1024).rstrip(b"\0").split(b"\0")
        command = b" ".join(words).decode(errors="replace")
        if not command:
            with open(f"/proc/{pid}/comm", "rb") as comm:
                command = comm.read().decode(errors="replace").strip()
        return f"{pid} {command}"[:200]
    except OSError:
        return str(pid)


def _figures() -> List[int]:
    pyplot = _modules.get("matplotlib.pyplot")
    if pyplot is None:
        return []
    try:
        return list(pyplot.get_fignums())
    except Exception:  # a half-imported or stubbed pyplot: no figures to speak of
        return []
