"""The figures of whole modules, classes and the session: pytest-monitor's broader scopes.

Registered only when `--blackbox-restrict-scope-to` asks for one of them. A scope opens with the
first of its tests that this process runs and closes after the teardown of the last one (when
pytest's `nextitem` belongs to another module or class, or is None); the session closes when it
finishes. Each closing writes one `scope` record (docs/formats/journal.md): the wall and CPU
time in between, the RSS at both ends, and the largest of its tests' exact peaks (the
high-water mark is reset per test, so the scope's peak is the maximum of theirs).
"""

import resource
import time
from typing import Dict, List, Optional

import pytest

from . import records
from .memory import PeakMeter
from .monitor import Monitor

_getrusage = resource.getrusage
_SELF = resource.RUSAGE_SELF
monotonic_ns = time.monotonic_ns


class _Open:
    """A scope that has begun: its node and its figures so far."""

    __slots__ = ("node", "nodeid", "begin_ns", "user", "sys", "rss_before", "peak")

    def __init__(self, node, begin_ns: int, user: float, sys_: float) -> None:
        self.node = node
        # Scopes are told apart by node id: a doctest module and the test module of the same
        # file are two nodes of one module.
        self.nodeid = node.nodeid
        self.begin_ns = begin_ns
        self.user = user
        self.sys = sys_
        self.rss_before = -1  # set once its first test has started
        self.peak = 0


class ScopeMeter:
    """Writes a `scope` record when a module, class or the session ends in this process."""

    def __init__(self, write, meter: PeakMeter, monitor: Monitor) -> None:
        self.write = write
        self.meter = meter
        self.monitor = monitor
        self.kinds = [kind for kind in ("module", "class") if kind in monitor.scopes]
        self.session_scope = "session" in monitor.scopes
        self.open: Dict[str, _Open] = {}  # kind ("module", "class", "session") -> open scope
        self.fresh: List[_Open] = []  # scopes opened by the running test
        self.parent = None  # the parent node of the last test (same parent: same scopes)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: Optional[pytest.Item]):
        """Open the scopes a test enters; after its teardown, close those it is the last of."""
        if item.parent is not self.parent or not self.open:
            self._enter(item)
        yield
        meter = self.meter
        for scope in self.fresh:
            scope.rss_before = meter.rss_before
        self.fresh = []
        peak = meter.peak
        for scope in self.open.values():
            if peak > scope.peak:
                scope.peak = peak
        if nextitem is None or nextitem.parent is not item.parent:
            self._leave(nextitem)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Close what is still open; write the session's record."""
        self._leave(None)
        scope = self.open.pop("session", None)
        if scope is not None:
            self._write("session", scope, session, self.meter.rss())

    def _enter(self, item: pytest.Item) -> None:
        """Open the requested scopes of `item` that are not open yet."""
        self.parent = item.parent
        usage = None
        for kind, node in self._nodes(item):
            scope = self.open.get(kind)
            if node is None or (scope is not None and scope.nodeid == node.nodeid):
                continue
            if usage is None:
                usage = _getrusage(_SELF)
            scope = self.open[kind] = _Open(node, monotonic_ns(), usage.ru_utime, usage.ru_stime)
            self.fresh.append(scope)

    def _nodes(self, item: pytest.Item):
        """(kind, node) of each requested scope of `item`; the node None when it has none."""
        if "module" in self.kinds:
            yield "module", item.getparent(pytest.File)
        if "class" in self.kinds:
            yield "class", item.getparent(pytest.Class)
        if self.session_scope:
            yield "session", item.session

    def _leave(self, nextitem: Optional[pytest.Item]) -> None:
        """Close the module and class scopes `nextitem` is not part of."""
        ahead = {} if nextitem is None else dict(self._nodes(nextitem))
        for kind in ("class", "module"):
            scope = self.open.get(kind)
            if scope is not None and getattr(ahead.get(kind), "nodeid", None) != scope.nodeid:
                del self.open[kind]
                self._write(kind, scope, scope.node, self.meter.rss_after)

    def _write(self, kind: str, scope: _Open, node, rss_after: int) -> None:
        ns = monotonic_ns()
        usage = _getrusage(_SELF)
        module = _module_of(node) if kind != "session" else None
        dotted = getattr(module, "__name__", None) if module is not None else None
        if kind == "session":
            # The rootdir's basename, as pytest 7 names the session node (from pytest 8 on it
            # has no name).
            name, nodeid, path = node.config.rootpath.name, "", None
        elif kind == "class":
            name, nodeid, path = _class_name(node), node.nodeid, node.nodeid.split("::", 1)[0]
        else:
            name = dotted.rpartition(".")[2] if dotted else node.path.stem
            nodeid, path = node.nodeid, node.nodeid.split("::", 1)[0]
        fields = {
            "kind": kind,
            "nodeid": nodeid,
            "module": dotted,
            "name": name,
            "file": path,
            "component": self.monitor.component(module),
            "begin_ns": scope.begin_ns,
            "cpu_user": round(usage.ru_utime - scope.user, 6),
            "cpu_sys": round(usage.ru_stime - scope.sys, 6),
        }
        if scope.peak > 0:
            fields["peak_rss"] = scope.peak
        if scope.rss_before >= 0 and rss_after >= 0:
            fields["rss_before"] = scope.rss_before
            fields["rss_after"] = rss_after
        self.write(records.scope(ns, fields))


def _module_of(node) -> Optional[object]:
    """The imported module of a module or class node (None for other files, or on failure)."""
    module_node = node if isinstance(node, pytest.Module) else node.getparent(pytest.Module)
    if module_node is None:
        return None
    try:
        return module_node.obj
    except Exception:
        return None


def _class_name(node) -> str:
    """`Outer.Inner` for a nested class, as the collected items' `cls`."""
    return ".".join(n.name for n in node.listchain() if isinstance(n, pytest.Class))
