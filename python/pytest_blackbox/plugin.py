"""pytest-blackbox: a crash-survivable flight recorder for pytest.

Every pytest process (the main one, and under pytest-xdist the controller and every worker)
appends one record per event to its own journal in the run directory, one write() per record,
and points faulthandler at a file next to it: whatever kills the process (SIGKILL, the OOM
killer, a segfault, os._exit), the journal says what it was doing. The formats are
docs/formats/journal.md and docs/formats/run-directory.md.

The plugin records when BLACKBOX_RUN_DIR is set (`blackbox run` sets it) or with `--blackbox`
(ini `blackbox = true`), which makes the run directory under `.blackbox/` itself. Otherwise it
registers no per-test hook at all: only this module's hooks exist, and they run once. The
variables of pytest-abort and ct-pytest-monitor work without recording (compat/).

pytest-monitor's controls (monitor.py) only add facts to the records: what the metrics database
should store, each item's component and variant. Its broader scopes (scopes.py) are measured only
when asked for, and the main process names the slowest and hungriest tests at the end
(summary.py).

The memory budgets of pytest-memray's markers (budgets.py) hold in every recorded run; a garbage
collection and the leak sentinels after each test (after_test.py) run only when asked for.
"""

import functools
import logging
import os
import re
import signal
import time
import weakref
from typing import Dict, List, Optional

import pytest

from . import (
    after_test,
    budgets,
    compat,
    monitor,
    native,
    records,
    requeue,
    resume,
    resumed_outputs,
    shard_plan,
)
from .after_test import AfterTest, Tally
from .activation import RECORDER_ENV, RUN_DIR_ENV, Recording, open_recording, start_facts
from .capture_files import capture_descriptors, hand_to_supervisor
from .faults import FaultFile
from .log_trail import LogTrail
from .items import collected_chunks, undecorated_group_id, undecorated_ids
from .journal import warn_disabled
from .memory import PeakMeter
from .monitor import Monitor
from .scopes import ScopeMeter
from .summary import (
    DEFAULT_SIZE,
    HUNGRY_FROM_HELP,
    REPORT_ATTRIBUTE,
    SUMMARY_HELP,
    Summary,
    hungry_from_of,
    size_of,
)
from .user_reports import user_reports
from .workers import exit_status, worker_id

BLACKBOX_HELP = (
    "record this run into .blackbox/runs/<timestamp>-<id>/ (a crash-survivable journal that "
    "`blackbox show` reads); implied when BLACKBOX_RUN_DIR is set"
)
BLACKBOX_DIR_HELP = "folder holding the runs of --blackbox (default: .blackbox)"
BLACKBOX_FSYNC_HELP = (
    "fdatasync() after every journal record (survives kernel panics and power loss; "
    "costs ~0.1 ms a record); also BLACKBOX_FSYNC=1"
)
BLACKBOX_INI_HELP = "record every run, as with --blackbox"

DUMP_SIGNAL = signal.SIGUSR2
"""On this signal faulthandler writes every thread's stack into the faulthandler file: the
supervisor asks for it before it kills a hung test or when memory nears the limit."""

SUPERVISED_ENV = "BLACKBOX_SUPERVISED"
"""Set to 1 by `blackbox run`, which prints the post-mortem itself."""

RECORDER_NAME = "blackbox-recorder"
SCOPES_NAME = "blackbox-scopes"
AFTER_TEST_NAME = "blackbox-after-test"
RECORDER_KEY = pytest.StashKey["Recorder"]()

WORKER_EXIT_WAIT_S = 0.5
"""How long the controller waits for a crashed worker's exit status."""

_FILE_COLLECTORS = tuple(
    kind
    for kind in (pytest.File, getattr(pytest, "Directory", None), getattr(pytest, "Package", None))
    if kind is not None
)

_recording: List["Recorder"] = []
"""The recorders active in this process, innermost last (pytester runs pytest inside pytest)."""

monotonic_ns = time.monotonic_ns
getpid = os.getpid

_TestReport = pytest.TestReport
_END_HEADS = records.END_HEADS

FORKED_CRASH = re.compile(r"CRASHED with signal (\d+)")
"""pytest-forked's report of a test whose child died names the signal only in its text."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --blackbox, --blackbox-dir, --blackbox-fsync, --blackbox-summary,
    --blackbox-hungry-from, pytest-monitor's options (monitor.py) and their ini keys."""
    group = parser.getgroup("blackbox", "flight recorder (pytest-blackbox)")
    group.addoption("--blackbox", action="store_true", default=False, help=BLACKBOX_HELP)
    group.addoption("--blackbox-dir", metavar="DIR", default=None, help=BLACKBOX_DIR_HELP)
    group.addoption(
        "--blackbox-fsync", action="store_true", default=False, help=BLACKBOX_FSYNC_HELP
    )
    group.addoption("--blackbox-summary", metavar="N", type=int, default=None, help=SUMMARY_HELP)
    group.addoption("--blackbox-hungry-from", metavar="SIZE", default=None, help=HUNGRY_FROM_HELP)
    parser.addini("blackbox", BLACKBOX_INI_HELP, type="bool", default=False)
    parser.addini("blackbox_summary", SUMMARY_HELP)
    parser.addini("blackbox_hungry_from", HUNGRY_FROM_HELP)
    monitor.add_options(group, parser)
    shard_plan.add_options(group)
    after_test.add_options(group, parser)


@pytest.hookimpl(hookwrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args):
    """Add pytest-abort's options once every early plugin added its own (compat/); on a
    restarted attempt, before pytest-cov starts, have it append (resumed_outputs.py)."""
    resumed_outputs.before_plugins_start(early_config)
    yield
    compat.add_options(parser)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Start recording, after pytest's faulthandler plugin pointed faulthandler at stderr."""
    compat.configure(config)  # pytest-abort's and ct-pytest-monitor's interfaces, when asked for
    shard_plan.configure(config)  # one shard of a `blackbox plan`, when asked for
    monitor.register_markers(config)
    budgets.register_markers(config)
    resumed_outputs.warn_lost_outputs(config)
    settings = monitor.settings(config)  # a usage error, recording or not
    summary_size = size_of(config)
    hungry_from = hungry_from_of(config)  # a usage error, recording or not
    recording = None
    try:
        recording = open_recording(config, [recorder.run_dir for recorder in _recording])
        if recording is None:
            return
        recorder = Recorder(config, recording, settings, summary_size, hungry_from)
        ns, facts = start_facts(config, recording)
        facts["hwm_reset"] = recorder.meter.source is not None
        facts["hwm_source"] = recorder.meter.source
        facts["dump_signal"] = int(DUMP_SIGNAL)
        # Every handler is in place before `start` names its signal: the supervisor may send it
        # as soon as it reads the record. `start` is written all the same when one fails (the
        # `disabled` record that follows says why).
        try:
            recording.faults.enable()
            recording.faults.register_dump(DUMP_SIGNAL)
            # On top of faulthandler's handlers, which it chains to.
            recorder.native, native_facts = native.start(recording.run_dir, recorder.stem)
            facts.update(native_facts)
            if recorder.native is not None and os.environ.get(SUPERVISED_ENV) != "1":
                # No supervisor prints a post-mortem: a fatal error's stacks reach the
                # terminal as without the plugin, and where the post-mortem is.
                native.echo_to_terminal(recording.faults.fd, crash_note(recording.run_dir))
        finally:
            recording.journal.write(records.start(ns, facts))
        if recording.worker is None:
            # The xdist workers this process starts inherit the environment: they find the run
            # directory, and that they belong to it, there.
            recorder.export_env(RUN_DIR_ENV, str(recording.run_dir))
            recorder.export_env(RECORDER_ENV, f"{os.getpid()}:{recording.run_dir}")
    except Exception as error:  # a bug here must not cost the user their test run
        reason = f"internal error: {type(error).__name__}: {error}"
        warn_disabled(reason)
        if recording is not None:  # the post-mortem says why this process's tests are missing
            recording.journal.write(records.disabled(monotonic_ns(), reason))
        return
    _recording.append(recorder)
    config.stash[RECORDER_KEY] = recorder
    config.pluginmanager.register(recorder, RECORDER_NAME)
    if settings.enabled and settings.scopes != ["function"]:
        scopes = ScopeMeter(recorder.write, recorder.meter, settings)
        config.pluginmanager.register(scopes, SCOPES_NAME)
    gc_on, sentinels_on = after_test.wanted(config)
    if gc_on or sentinels_on:
        recorder.after_test = AfterTest(
            recorder.write,
            recorder.meter,
            gc_on,
            sentinels_on,
            Tally(summary_size or DEFAULT_SIZE),
            recorder.original_id,
        )
        config.pluginmanager.register(recorder.after_test, AFTER_TEST_NAME)


def crash_note(run_dir) -> str:
    """The line shown on the terminal after a fatal error's stacks, without a supervisor."""
    return (
        f"\nblackbox: this pytest process died; the test, its phase and its native and Python "
        f"stacks: blackbox show {run_dir}\n"
    )


class Recorder:
    """The hooks of an active recording, in the order pytest calls them.

    Per-test hooks do the minimum: one f-string and one write() per record. Everything else
    happens once per process or on the rare paths (failures, output, fixtures, crashes).
    """

    def __init__(
        self,
        config: pytest.Config,
        recording: Recording,
        settings: Monitor,
        summary_size: int,
        hungry_from: int,
    ):
        self.config = config
        self.monitor = settings
        # The process that prints ranks the tests; an xdist worker hands its figures over.
        self.summary = (
            Summary(summary_size, hungry_from) if summary_size and not recording.worker else None
        )
        self.hand_over = bool(summary_size and recording.worker)
        # Under a supervisor that may restart pytest: other plugins' data kept after each test.
        self.save_outputs = recording.worker is None and resumed_outputs.restartable()
        self.worker = recording.worker  # the xdist worker id, None elsewhere
        self.test_dur = 0.0  # the phases of the running test so far, in seconds
        self.run_dir = recording.run_dir
        self.journal = recording.journal
        self.write = recording.journal.write
        self.faults = recording.faults
        self.held = recording.held
        self.controller = False  # an xdist controller runs no tests: its workers record them
        self.loadgroup_controller = False
        self.deselected = 0  # every deselected item, as pytest counts them
        self.resumed = 0  # of those, the ones a restart deselected: earlier attempts ran them
        self.collect_errors = 0
        self.undecorated: Dict[str, str] = {}
        self.sections_written: set = set()  # section titles already in an `end` of this test
        self.props_written = 0  # user properties already in an `end` of this test
        self.fixtures_tearing_down: Dict[int, tuple] = {}
        self.crashes_seen: set = set()
        self.internal_error_reported = False
        self.env_saved: Dict[str, Optional[str]] = {}
        self.meter = PeakMeter()
        self.attempt = recording.attempt
        self.stem = recording.journal.stem
        self.log_trail: Optional[LogTrail] = None
        self.after_test: Optional[AfterTest] = None  # with --blackbox-gc-after-each/-sentinels
        self.native: Optional[native.NativeFile] = None  # the native stacks' handlers, if loaded
        self.pid = getpid()  # a forked child (pytest-forked) runs these hooks with another pid
        # The phase the journal implies is running (after `test` the setup, and so on); None
        # between tests. A phase that starts without it gets a `begin` record.
        self.implied: Optional[str] = None
        self.forked_child = 0  # in a forked child: its pid, once its faulthandler file is open
        # True in a child forked from this process (pytest-forked's): there every phase gets a
        # `begin` record with the child's pid. Set by the fork itself, so that a phase's hook
        # costs a comparison and no getpid().
        self.forked = False
        os.register_at_fork(after_in_child=functools.partial(_after_fork, weakref.ref(self)))
        self.child_faults: Optional[FaultFile] = None

    def original_id(self, nodeid: str) -> str:
        """pytest's own node id for one xdist may have decorated (`--dist loadgroup`)."""
        return self.undecorated.get(nodeid, nodeid) if self.undecorated else nodeid

    def export_env(self, name: str, value: str) -> None:
        """Set an environment variable for child processes, restored at unconfigure."""
        self.env_saved.setdefault(name, os.environ.get(name))
        os.environ[name] = value

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Write `session_start`, before an xdist controller starts its workers."""
        manager = session.config.pluginmanager
        self.controller = manager.has_plugin("dsession")
        if self.controller:
            self.loadgroup_controller = session.config.getoption("dist", None) == "loadgroup"
        capture = {} if self.controller else capture_descriptors(session.config)
        hand_to_supervisor(capture, self.stem)  # before the record: the supervisor finds them first
        # The process that writes the user's reports names them (an xdist worker writes none).
        reports = user_reports(session.config) if self.worker is None else []
        # `--dist each` runs every test in every worker: the post-mortem keeps each one's result.
        dist = session.config.getoption("dist", None) if self.controller else None
        self.write(
            records.session_start(
                monotonic_ns(),
                self.controller,
                capture,
                self.monitor.fields(),
                reports,
                dist if isinstance(dist, str) else None,
            )
        )
        if not self.controller:
            self.log_trail = LogTrail(self.run_dir / "capture" / f"{self.stem}.log")
            logging.getLogger().addHandler(self.log_trail)

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_make_collect_report(self, collector: pytest.Collector):
        """Bracket the collection of each file and package: a death in between names it."""
        bracketed = isinstance(collector, _FILE_COLLECTORS)
        if bracketed:
            self.write(records.collect(monotonic_ns(), collector.nodeid))
        outcome = yield
        if outcome.excinfo is not None:
            return
        try:
            self._collect_end(outcome.get_result(), bracketed)
        except Exception as error:
            self._internal_error("pytest_make_collect_report", error)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: List[pytest.Item]
    ) -> None:
        """On a restart, deselect the tests that finished or crashed in earlier attempts."""
        done = resume.skip_list(self.run_dir, self.attempt)
        if not done:
            return
        loadgroup = bool(getattr(config.option, "loadgroup", False))
        keep, drop = resume.split(items, done, undecorated_ids(items, loadgroup))
        if drop:
            items[:] = keep
            self.resumed += len(drop)  # not the user's deselection: kept apart
            config.hook.pytest_deselected(items=drop)

    def pytest_deselected(self, items: List[pytest.Item]) -> None:
        """Count deselected items for the `collection` record."""
        self.deselected += len(items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Write the collected items, then `collection`: the items are complete once it is."""
        try:
            items = session.items
            loadgroup = bool(getattr(self.config.option, "loadgroup", False))
            self.undecorated = undecorated_ids(items, loadgroup)
            for chunk in collected_chunks(items, self.undecorated, self.monitor):
                self.journal.write_collected(chunk)
            self.write(
                records.collection(
                    monotonic_ns(), len(items), self.deselected, self.collect_errors, self.resumed
                )
            )
            budgets.arm(items, self.meter)  # the tests with a limit_memory or limit_leaks mark
        except Exception as error:
            self._internal_error("pytest_collection_finish", error)

    def pytest_runtest_logstart(self, nodeid: str, location: tuple) -> None:
        """Write `test`: the test's setup begins; the following `end` records belong to it.

        No record marks the start of the call or the teardown: each begins right after the
        `end` of the phase before (a passed setup is followed by the call, anything else by
        the teardown), so four writes per test tell where a death happened.
        """
        if self.controller:
            return  # forwarded from a worker, whose own journal has it
        if self.undecorated:
            nodeid = self.undecorated.get(nodeid, nodeid)
        if self.sections_written or self.props_written:
            self.sections_written = set()
            self.props_written = 0
        self.write(records.test(monotonic_ns(), nodeid))
        self.implied = "setup"
        self.test_dur = 0.0
        self.meter.start()
        if self.log_trail is not None:
            self.log_trail.nodeid = nodeid

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Write `begin` when the journal does not imply the setup (see `_phase_begins`)."""
        if self.implied != "setup" or self.forked:
            self._phase_begins("setup")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        """Write `begin` when the journal does not imply the call (see `_phase_begins`)."""
        if self.implied != "call" or self.forked:
            self._phase_begins("call")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem) -> None:
        """Write `begin` when the journal does not imply the teardown (see `_phase_begins`)."""
        if self.implied != "teardown" or self.forked:
            self._phase_begins("teardown")

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_fixture_setup(self, fixturedef, request):
        """Bracket the setup of a fixture broader than a function; arm its teardown record."""
        scope = request.scope
        if scope == "function":
            yield
            return
        name = fixturedef.argname
        self.write(records.fixture(monotonic_ns(), "fixture_begin", name, scope, "setup", None))
        outcome = yield
        try:
            error = None
            if outcome.excinfo is not None:
                error = _exception_text(outcome.excinfo[1])
            self.write(records.fixture(monotonic_ns(), "fixture_end", name, scope, "setup", error))
            if self.after_test is not None:
                self.after_test.rebase()
            # Finalizers run last-in first-out: added after the fixture's own teardown (a
            # generator's rest, request.addfinalizer), this one runs before all of them.
            fixturedef.addfinalizer(
                functools.partial(self._fixture_teardown_begins, fixturedef, name, scope)
            )
        except Exception as error:
            self._internal_error("pytest_fixture_setup", error)

    def pytest_fixture_post_finalizer(self, fixturedef, request) -> None:
        """Write `fixture_end teardown` once a broader fixture's finalizers ran."""
        if not self.fixtures_tearing_down:
            return
        armed = self.fixtures_tearing_down.pop(id(fixturedef), None)
        if armed is not None:  # pytest 7 calls this once per test that used the fixture
            _, name, scope = armed
            self.write(
                records.fixture(monotonic_ns(), "fixture_end", name, scope, "teardown", None)
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Write `end` for a phase; an xdist controller writes `worker_crash` only."""
        if self.controller:
            if report.when == "teardown":
                if self.summary is not None:
                    self.summary.add_from_report(report)
            elif report.when == "???":  # xdist's report for the test a dead worker was running
                self._worker_crash(report.nodeid, getattr(report, "node", None))
            return
        if type(report) is not _TestReport and getattr(report, "context", None) is not None:
            self._subtest(report)  # pytest-subtests' report of one subtest, inside the call
            return
        extra = ""
        outcome = report.outcome
        # The common case costs four attribute reads (`wasxfail`, when set, is an instance
        # attribute: looking it up in __dict__ avoids a failing getattr per phase).
        if (
            outcome != "passed"
            or report.sections
            or report.user_properties
            or "wasxfail" in report.__dict__
        ):
            try:
                extra = self._end_extra(report)
            except Exception as error:
                self._internal_error("pytest_runtest_logreport", error)
        dur = report.duration
        if type(dur) is not float:  # a plugin's report may carry an int or None
            dur = float(dur or 0)
        when = report.when
        heads = _END_HEADS.get(when)
        head = None if heads is None else heads.get(outcome)
        if head is None:  # a plugin's own phase or outcome
            head = records.end_head(when, outcome)
        if when != "teardown":
            if when == "setup":
                self.implied = "call" if outcome == "passed" else "teardown"
            elif when == "call":
                self.implied = "teardown"
            else:  # "???": pytest-forked's report of a test whose forked child died
                self.implied = None
                extra += self._forked_crash_extra(report)
            self.test_dur += dur
            self.write(f'{{"ev":"end","ns":{monotonic_ns()},{head}{dur!r}{extra}}}\n')
            return
        self.implied = None
        extra += self.meter.finish()
        self.write(f'{{"ev":"end","ns":{monotonic_ns()},{head}{dur!r}{extra}}}\n')
        if self.save_outputs:
            resumed_outputs.save_progress(self.config)
        if self.summary is not None:
            meter = self.meter
            self.summary.add(report.nodeid, self.test_dur + dur, meter.peak, meter.rss_before)
        elif self.hand_over:  # xdist serialises the report's extra attributes for the controller
            meter = self.meter
            setattr(report, REPORT_ATTRIBUTE, [self.test_dur + dur, meter.peak, meter.rss_before])

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo) -> None:
        """Write `interrupt` (Ctrl-C, or pytest.exit)."""
        try:
            reason = excinfo.exconly()
        except Exception:
            reason = "KeyboardInterrupt"
        self.write(records.interrupt(monotonic_ns(), reason))

    @pytest.hookimpl(hookwrapper=True, optionalhook=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log):
        """Keep xdist's scope schedulers from running a crashed test again (see requeue.py)."""
        outcome = yield
        try:
            requeue.prevent_rerun_of_crashed_tests(outcome.get_result())
        except Exception as error:
            self._internal_error("pytest_xdist_make_scheduler", error)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:
        """Write `worker_down`, with the worker's exit code or signal when it can be read."""
        try:
            wait_s = WORKER_EXIT_WAIT_S if error is not None else 0.0  # a clean exit: no wait
            code, signal = exit_status(node, wait_s)
            text = None if error is None else str(error)
            self.write(records.worker_down(monotonic_ns(), worker_id(node), text, code, signal))
            output = getattr(node, "workeroutput", None) or {}
            handed = output.get(after_test.WORKER_OUTPUT_KEY)
            if handed and self.after_test is not None and self.after_test.tally is not None:
                self.after_test.tally.merge(handed)
        except Exception as failure:
            self._internal_error("pytest_testnodedown", failure)

    @pytest.hookimpl(optionalhook=True)
    def pytest_handlecrashitem(self, crashitem: str, report, sched) -> None:
        """Write `worker_crash`: xdist names the test a dead worker was running."""
        self._worker_crash(crashitem, getattr(report, "node", None))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus) -> None:
        """Write `session_end`, after every other plugin (and the last teardowns) finished."""
        try:
            status = int(exitstatus)
        except (TypeError, ValueError):
            status = 3  # not a status pytest defines: report an internal error
        self._remove_idle_child_faults()
        self.write(records.session_end(monotonic_ns(), status))

    def pytest_terminal_summary(self, terminalreporter, exitstatus, config) -> None:
        """Name the slowest and the most memory-hungry tests (the process that prints)."""
        if self.summary is not None:
            try:
                self.summary.write(terminalreporter)
            except Exception as error:
                self._internal_error("pytest_terminal_summary", error)
        after = self.after_test
        if after is not None and after.tally is not None and self.worker is None:
            try:
                after.tally.write(terminalreporter, after.gc_on, after.sentinels_on)
            except Exception as error:
                self._internal_error("pytest_terminal_summary", error)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Write `exit`; leave faulthandler writing to our file for the interpreter's exit."""
        self.write(records.exit_(monotonic_ns()))
        self.meter.release()
        if self.after_test is not None:
            self.after_test.close()
        if self.log_trail is not None:
            logging.getLogger().removeHandler(self.log_trail)
            self.log_trail.close()
        self.journal.close()
        if self.held >= 0:
            os.close(self.held)  # the recording is over: the run may be pruned one day
            self.held = -1
        if self in _recording:
            _recording.remove(self)
        if _recording:
            outer = _recording[-1]  # an outer recording in this process takes over
            outer.faults.enable()
            if outer.native is not None:
                outer.native.enable()
            self.faults.close()
            if self.native is not None:
                self.native.close()
        else:
            # pytest's faulthandler plugin just disabled faulthandler; the descriptor stays
            # open until the process ends, so a crash at shutdown still leaves its stack.
            self.faults.keep_for_exit()
            if self.native is not None:
                self.native.enable()  # back on top of faulthandler's, open until the end
        for name, value in self.env_saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def _collect_end(self, report: pytest.CollectReport, bracketed: bool) -> None:
        if report.failed:
            self.collect_errors += 1
        if not bracketed:
            return
        detail = None
        if report.failed:
            detail = ("longrepr", report.longreprtext)
        elif report.skipped and isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
            detail = ("reason", str(report.longrepr[2]))
        self.write(records.collect_end(monotonic_ns(), report.nodeid, report.outcome, detail))

    def _end_extra(self, report: pytest.TestReport) -> str:
        """The optional keys of an `end`; sections and properties once per test."""
        wasxfail = getattr(report, "wasxfail", None)
        reason = longrepr = None
        if report.outcome == "skipped":
            if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
                reason = str(report.longrepr[2])
        elif report.outcome in ("failed", "rerun"):  # "rerun": pytest-rerunfailures' failed try
            longrepr = report.longreprtext
        sections = [s for s in report.sections if s[0] not in self.sections_written]
        self.sections_written.update(title for title, _ in sections)
        written = self.props_written
        props = list(report.user_properties)[written:]
        self.props_written += len(props)
        return records.end_extra(
            None if wasxfail is None else str(wasxfail), reason, longrepr, sections, props
        )

    def _phase_begins(self, phase: str) -> None:
        """Write `begin`: a phase starts that no `end` implies.

        pytest reports each phase right after it ran, so the `end` of one phase implies the
        next. Plugins that run a test's phases with `runtestprotocol(item, log=False)` report
        them only afterwards (pytest-rerunfailures) or from another process (pytest-forked):
        without this record a death in the call would read as one in the setup. In a forked
        child every phase is written, with the child's pid, and the child's faulthandler
        writes into a file of its own (`faulthandler/<stem>.fork-<pid>.txt`), so that its
        stack names its death and not the recording process's.
        """
        try:
            pid = getpid()
            if pid == self.pid:
                self.write(records.begin(monotonic_ns(), phase))
            else:
                if self.forked_child != pid:
                    self.forked_child = pid
                    self._child_faulthandler(pid)
                self.write(records.begin(monotonic_ns(), phase, pid))
            self.implied = phase
        except Exception as error:
            self._internal_error("phase begins", error)

    def _child_faulthandler(self, pid: int) -> None:
        """Point faulthandler, in a forked child, at the child's own file."""
        path = self.run_dir / "faulthandler" / f"{self.stem}.fork-{pid}.txt"
        try:
            self.child_faults = FaultFile(path)
            self.child_faults.enable()
        except OSError:
            self.child_faults = None  # the stack then goes to the recording process's file

    def _remove_idle_child_faults(self) -> None:
        """Remove the empty faulthandler files of forked children: only a child that died of a
        fatal error has a stack to keep."""
        if getpid() != self.pid:
            return
        prefix = f"{self.stem}.fork-"
        try:
            with os.scandir(self.run_dir / "faulthandler") as entries:
                for entry in entries:
                    if entry.name.startswith(prefix) and entry.stat().st_size == 0:
                        os.unlink(entry.path)
        except OSError:
            pass  # they are only empty files

    def _forked_crash_extra(self, report: pytest.TestReport) -> str:
        """The signal of pytest-forked's crash report, read from its text."""
        try:
            found = FORKED_CRASH.search(str(report.longreprtext))
        except Exception:
            found = None
        return records.crash_extra(int(found.group(1)) if found else None)

    def _subtest(self, report) -> None:
        """Write `subtest` for pytest-subtests' report of a subtest."""
        try:
            context = report.context
            msg = getattr(context, "msg", None)
            if msg is not None and not isinstance(msg, str):
                msg = repr(msg)
            params = {k: repr(v) for k, v in (getattr(context, "kwargs", None) or {}).items()}
            outcome = report.outcome
            longrepr = report.longreprtext if outcome == "failed" else None
            reason = None
            if outcome == "skipped" and isinstance(report.longrepr, tuple):
                reason = str(report.longrepr[-1])
            self.write(
                records.subtest(
                    monotonic_ns(), outcome, report.duration, msg, params, longrepr, reason
                )
            )
        except Exception as error:
            self._internal_error("subtest", error)

    def _fixture_teardown_begins(self, fixturedef, name: str, scope: str) -> None:
        """Write `fixture_begin teardown`: the first of the fixture's finalizers to run."""
        self.fixtures_tearing_down[id(fixturedef)] = (fixturedef, name, scope)
        self.write(records.fixture(monotonic_ns(), "fixture_begin", name, scope, "teardown", None))

    def _worker_crash(self, nodeid: str, node) -> None:
        """Write `worker_crash` once, whichever of xdist's two signals arrives first."""
        try:
            worker = worker_id(node)
            if self.loadgroup_controller:
                nodeid = undecorated_group_id(nodeid)
            if (worker, nodeid) in self.crashes_seen:
                return
            self.crashes_seen.add((worker, nodeid))
            self.write(records.worker_crash(monotonic_ns(), worker, nodeid))
        except Exception as error:
            self._internal_error("worker_crash", error)

    def _internal_error(self, where: str, error: Exception) -> None:
        """Report a bug of the recorder once; recording goes on, the test run is untouched."""
        if not self.internal_error_reported:
            self.internal_error_reported = True
            self.journal.warn(
                f"pytest-blackbox: internal error in {where}: {type(error).__name__}: {error}"
            )


def _after_fork(recorder: "weakref.ref[Recorder]") -> None:
    """In a forked child: every phase of a test it runs is written (see `_phase_begins`)."""
    alive = recorder()
    if alive is not None:
        alive.forked = True


def _exception_text(error: BaseException) -> str:
    try:
        return f"{type(error).__name__}: {error}"
    except Exception:  # a user's __str__ may raise
        return type(error).__name__
