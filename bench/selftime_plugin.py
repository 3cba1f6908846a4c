"""Times the recorder's own hooks inside pytest (loaded with `-p selftime_plugin` by overhead.py).

Every hook implementation of the registered recorder is wrapped with a timer (hook wrappers
are timed before and after their yield), and at the end the total and the number of tests are
written as JSON to $BLACKBOX_SELFTIME_OUT. The wrapping costs a little itself (two clock reads
per call), so the figure is an upper bound of the plugin's cost.
"""

import functools
import inspect
import json
import os
import time

import pytest

RECORDER_NAME = "blackbox-recorder"

_total_ns = [0]
_by_hook = {}
_tests = [0]
_now = time.perf_counter_ns


def _timed(function, name):
    _by_hook.setdefault(name, 0)
    if inspect.isgeneratorfunction(function):

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            start = _now()
            generator = function(*args, **kwargs)
            next(generator)
            spent = _now() - start
            _total_ns[0] += spent
            _by_hook[name] += spent
            outcome = yield
            start = _now()
            try:
                generator.send(outcome)
            except StopIteration:
                pass
            spent = _now() - start
            _total_ns[0] += spent
            _by_hook[name] += spent

        return wrapper

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = _now()
        try:
            return function(*args, **kwargs)
        finally:
            spent = _now() - start
            _total_ns[0] += spent
            _by_hook[name] += spent

    return wrapper


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


def pytest_runtest_logfinish(nodeid, location):
    """Count tests."""
    _tests[0] += 1


def pytest_unconfigure(config):
    """Write the totals."""
    out = os.environ.get("BLACKBOX_SELFTIME_OUT")
    if out:
        with open(out, "w") as handle:
            json.dump({"total_ns": _total_ns[0], "tests": _tests[0], "by_hook": _by_hook}, handle)
