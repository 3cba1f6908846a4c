"""Times the recorder's own hooks inside pytest (loaded through PYTEST_PLUGINS by overhead.py).

Every hook implementation of the registered recorder is wrapped with a timer (hook wrappers
are timed before and after their yield), and at the end this process's figures are written as
JSON to $BLACKBOX_SELFTIME_OUT/<pid>.json (under xdist every worker and the controller write
their own):

- `by_hook`: ns spent in each hook implementation, `calls` how often each was called;
- `tests`: the tests this process ran (0 in an xdist controller, which runs none);
- `collected`: the items this process collected;
- `location_ns`: pytest's own `item.location` of every collected item, computed here before
  the recorder's collection hook and left out of `by_hook`: pytest computes it anyway for every
  test it runs (`runtestprotocol` passes it to `pytest_runtest_logstart`) and keeps it, so the
  recorder reading it at collection moves that cost, it does not add it. Under xdist a worker
  collects every item but runs only its share: overhead.py counts the rest as the recorder's;
- `wrapper_ns`: the timer's own cost per call, calibrated at the end (it is inside `by_hook`:
  overhead.py subtracts it);
- `dispatch_ns`: pluggy's cost of calling one more hook implementation (a hook with eight
  no-op implementations against seven, calibrated at the end): not inside `by_hook`, which times
  the implementations from their first line;
- with $BLACKBOX_SELFTIME_SYSCALLS=1, `syscalls`: the calls and ns of the recorder's system
  calls per kind (journal writes, the reset of the memory mark, getrusage, /proc reads), timed
  by wrapping them (which adds the timer's cost to `by_hook`: a run of its own).
"""

import functools
import inspect
import json
import os
import resource
import time
import types

import pytest

RECORDER_NAME = "blackbox-recorder"

_now = (
    time.thread_time_ns
    if os.environ.get("BLACKBOX_SELFTIME_CLOCK") != "wall"
    else time.perf_counter_ns
)
"""The timer: the thread's CPU time by default, which counts the recorder's own work, system
calls included, and not the time it waits while another process has the processor or, in an
xdist worker, while execnet's thread holds the GIL that a system call released (xdist's work,
which wall time would charge to the recorder). BLACKBOX_SELFTIME_CLOCK=wall for wall time."""
_by_hook = {}
_calls = {}
_state = {"tests": 0, "collected": 0, "location_ns": 0}
_syscalls = {}


def _timed(function, name):
    _by_hook.setdefault(name, 0)
    _calls.setdefault(name, 0)
    if inspect.isgeneratorfunction(function):

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            start = _now()
            generator = function(*args, **kwargs)
            next(generator)
            spent = _now() - start
            outcome = yield
            start = _now()
            try:
                generator.send(outcome)
            except StopIteration:
                pass
            _by_hook[name] += spent + _now() - start
            _calls[name] += 1

        return wrapper

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = _now()
        try:
            return function(*args, **kwargs)
        finally:
            _by_hook[name] += _now() - start
            _calls[name] += 1

    return wrapper


def _counted(kind, function):
    _syscalls[kind] = [0, 0]
    figures = _syscalls[kind]

    def wrapper(*args):
        start = _now()
        try:
            return function(*args)
        finally:
            figures[0] += 1
            figures[1] += _now() - start

    return wrapper


def _wrap_syscalls() -> None:
    from pytest_blackbox import journal, memory

    memory._getrusage = _counted("getrusage", resource.getrusage)
    memory._pread = _counted("pread /proc (statm, schedstat)", os.pread)
    memory._write = _counted("write clear_refs", os.write)
    names = {name: getattr(os, name) for name in dir(os) if not name.startswith("__")}
    proxy = types.SimpleNamespace(**names)
    proxy.write = _counted("write journal", os.write)
    journal.os = proxy


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    """Wrap the recorder's hook implementations (it registered itself just before)."""
    manager = config.pluginmanager
    recorder = manager.get_plugin(RECORDER_NAME)
    if recorder is None:
        return
    for caller in manager.get_hookcallers(recorder):
        for implementation in caller.get_hookimpls():
            if implementation.plugin is recorder:
                implementation.function = _timed(implementation.function, caller.name)
    if os.environ.get("BLACKBOX_SELFTIME_SYSCALLS") == "1":
        _wrap_syscalls()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session):
    """pytest's own item.location, before the recorder reads it (see the module's docstring)."""
    start = _now()
    for item in session.items:
        try:
            item.location
        except Exception:
            pass
    _state["location_ns"] += _now() - start
    _state["collected"] += len(session.items)


def pytest_runtest_logfinish(nodeid, location):
    """Count the tests this process ran (an xdist controller relays its workers' too)."""
    _state["tests"] += 1


def _calibrate_wrapper() -> float:
    def nothing():
        return None

    timed = _timed(nothing, "__calibration__")
    rounds = 20000
    best = None
    for _ in range(5):
        _by_hook["__calibration__"] = 0
        for _ in range(rounds):
            timed()
        # What the timer reads inside a call of nothing: its own share of the clock reads.
        spent = _by_hook["__calibration__"] / rounds
        best = spent if best is None or spent < best else best
    del _by_hook["__calibration__"], _calls["__calibration__"]
    return best


def _calibrate_dispatch() -> float:
    import pluggy

    marker = pluggy.HookspecMarker("calibration")
    implementation = pluggy.HookimplMarker("calibration")

    class Spec:
        @marker
        def calibration_hook(self, item, nextitem):
            pass

    def cost(plugins: int) -> float:
        manager = pluggy.PluginManager("calibration")
        manager.add_hookspecs(Spec)
        for _ in range(plugins):

            class Plugin:
                @implementation
                def calibration_hook(self, item, nextitem):
                    return None

            manager.register(Plugin())
        hook = manager.hook.calibration_hook
        best = None
        for _ in range(7):
            start = time.perf_counter_ns()
            for _ in range(5000):
                hook(item=None, nextitem=None)
            spent = (time.perf_counter_ns() - start) / 5000
            best = spent if best is None or spent < best else best
        return best

    # Per implementation, over seven more: steadier than the difference of two close costs.
    return max((cost(15) - cost(8)) / 7, 0.0)


def pytest_unconfigure(config):
    """Write this process's figures."""
    out = os.environ.get("BLACKBOX_SELFTIME_OUT")
    if not out:
        return
    controller = config.pluginmanager.has_plugin("dsession")
    figures = {
        "pid": os.getpid(),
        "controller": controller,
        "tests": 0 if controller else _state["tests"],
        "collected": _state["collected"],
        "location_ns": _state["location_ns"],
        "by_hook": _by_hook,
        "calls": _calls,
        "wrapper_ns": _calibrate_wrapper(),
        "dispatch_ns": _calibrate_dispatch(),
        "syscalls": _syscalls,
    }
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, f"{os.getpid()}.json"), "w") as handle:
        json.dump(figures, handle)
