#pragma once

// The one model of a run: every output (the terminal post-mortem, `show --json`, later the
// reports and the database) is a view of it, so each fact is computed once, here.

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/journal/test_result.hpp>
#include <blackbox/journal/user_report.hpp>
#include <blackbox/native/symbolizer.hpp>

namespace blackbox::postmortem {

// The journal's words for a test and its scopes are the model's.
using journal::AfterTest;
using journal::CollectError;
using journal::CutPhase;
using journal::Leftover;
using journal::MonitorSettings;
using journal::PhaseDetails;
using journal::PhaseResult;
using journal::ScopeMetrics;
using journal::TestResult;
using journal::UserReport;

// One point of the memory trail.
struct MemoryPoint {
    std::int64_t ns = 0;
    std::int64_t tree_rss = 0;
    std::optional<std::int64_t> available;  // MemAvailable
    std::optional<std::int64_t> cgroup_usage;
};

// One crash: a pytest process that died, and what it was doing (the brief's contract).
struct Crash {
    std::optional<std::string> nodeid;  // the test, or the module being collected
    std::string phase;                  // "setup", "call", "teardown", "collect", "session"
    std::string stage;  // for phase "session": "startup", "between_tests" or "shutdown"
    std::optional<std::string> module;   // for collection crashes: the collector's node id
    std::optional<std::string> worker;   // xdist worker id
    std::optional<std::string> fixture;  // a class/module/session fixture being set up or torn down
    std::optional<int> signal;
    std::optional<int> exit_code;
    std::string cause;                     // "segfault", "abort", …, "killed", "exit", "unknown"
    std::string evidence;                  // how the cause was established
    std::optional<std::string> traceback;  // faulthandler's text
    std::vector<std::string> frames;       // the dying thread's frames, innermost first
    // The native stacks: of the thread a fatal signal hit, or of every thread when the last
    // record is a dump on request (a hang, memory near the limit); named after the death.
    std::optional<native::NativeStacks> native;
    std::string native_source;  // "handler" (ours), "faulthandler" (Python 3.14's C stack)
    std::optional<std::int64_t> rss_bytes;
    // The trail around the death: the sample where the dying process last had memory, and the
    // one ~10 s before it (same tree), for the trend.
    std::optional<MemoryPoint> memory_at, memory_before;
    // What the dying test had printed in its phase up to the death, recovered from pytest's
    // capture files (absent without capture, or when they could not be kept).
    std::optional<std::string> captured_stdout, captured_stderr, captured_log;
    int attempt = 1;
    long pid = 0;
    int session = 0;            // the pytest session of the process that died (TestResult::session)
    bool each_worker = false;   // its test's entry is one worker's of `--dist each` (TestResult)
    std::int64_t since_ns = 0;  // when the in-flight phase began (0 when unknown)
    // When the process died (CLOCK_MONOTONIC), from the best record of it (death_time.hpp);
    // nullopt when nothing dates it.
    std::optional<std::int64_t> died_ns;
    bool collateral = false;  // still running when another process's death ended the run
    // The test ran in a child its process forked (pytest-forked) and that child died: `pid`
    // is the recording process, which lived on; the child's pid is in `child_pid`.
    bool forked = false;
    long child_pid = 0;
};

// A test that was running when the user stopped the run (SIGINT, SIGTERM or SIGHUP sent to
// blackbox, Ctrl-C, or pytest.exit): it has no outcome of its own and stays "not_run" (the
// outcome words are a contract: a new word would break what reads them), marked interrupted
// wherever it is shown.
struct Interruption {
    std::string nodeid;
    std::string phase;                  // "setup", "call" or "teardown"
    std::optional<std::string> worker;  // xdist worker id
    std::optional<int> signal;          // the signal the supervisor forwarded, if it did
    std::string reason;                 // "KeyboardInterrupt", "stopped by SIGTERM", …
    int attempt = 1;
    long pid = 0;
    int session = 0;            // the pytest session (TestResult::session)
    std::int64_t since_ns = 0;  // when the phase began (0 when unknown)
    std::int64_t at_ns = 0;     // when it was interrupted, as far as the journal says
};

// A CLOCK_MONOTONIC instant and the wall time it was (seconds since the epoch): turns the
// journals' monotonic times into wall times.
struct ClockAnchor {
    std::int64_t ns = 0;
    double wall_s = 0;

    double wall_at(std::int64_t monotonic_ns) const {
        return wall_s + static_cast<double>(monotonic_ns - ns) / 1e9;
    }
};

struct Counts {
    std::size_t collected = 0, passed = 0, failed = 0, skipped = 0, xfailed = 0, xpassed = 0,
                errors = 0, crashed = 0, not_run = 0;
    std::size_t interrupted = 0;  // of not_run: the tests running when the run was stopped
    // The user's deselection (-k, -m, --deselect, plugins), the same in every attempt; and, apart
    // from it, the items the last restart deselected because earlier attempts had run them.
    std::size_t deselected = 0, resume_deselected = 0;
};

// The main process's wait status as the supervisor saw it (end.json).
struct WaitStatus {
    std::optional<int> code;
    std::optional<int> signal;
    bool core_dumped = false;
};

struct AttemptEnd {
    int attempt = 1;
    long pid = 0;
    WaitStatus wait;
    std::int64_t started_ns = 0, ended_ns = 0;           // CLOCK_MONOTONIC; 0 when not recorded
    std::optional<int> forwarded_signal = std::nullopt;  // the user stopped this attempt with it
    // When the supervisor's wait returned (CLOCK_MONOTONIC; 0: unknown).
    std::int64_t exited_ns = 0;
};

// Where the first attempt's time went besides its tests (run_course.hpp): what every run of
// the suite pays whatever it runs, which `blackbox plan` adds to a shard's tests.
struct RunCourse {
    std::optional<double> startup_s;     // the command's launch to the first `collect` record
    std::optional<double> collection_s;  // from there to the first test's start
    std::optional<double> finish_s;      // the last test's end to the command's end
};

// What a run's figures depend on besides the machine and the code (run_settings.hpp): runs are
// compared only with runs of the same settings.
struct RunSettings {
    std::size_t workers = 0;           // xdist workers the first attempt started (0: no xdist)
    bool fsync = false;                // --blackbox-fsync: an fdatasync() after every record
    std::optional<std::string> shard;  // --blackbox-shard K: one shard of a plan
};

// What the supervisor's samples say about the run (samples.jsonl).
struct RunMemory {
    bool sampled = false;
    std::optional<std::int64_t> limit;  // --memory-max, or the cgroup's limit
    std::int64_t peak_tree_rss = 0;
    // The tree without double counting: "pss" — a tree (or an xdist worker's subtree) of one
    // process by its RSS (one process counts no page twice), of several by the sum of their
    // PSS, on the samples that read it (docs/sampling.md); "rss" — the trail has no PSS (an
    // older trail, or a machine that hides smaps_rollup): RSS, which counts a page shared
    // between processes of the tree once per process.
    std::string tree_measure = "rss";
    std::optional<std::int64_t> peak_tree_pss;  // the whole tree's peak in that measure
    std::optional<std::int64_t> mem_total;      // the machine's MemTotal
    // When the memory cgroup's count of OOM kills rose (the first sample that showed it).
    std::vector<std::int64_t> oom_kills_ns;
    std::vector<MemoryPoint> before_end;  // the trail's last seconds, oldest first
    std::optional<std::size_t> suspect;   // index into tests (memory_suspect.hpp)
};

// A process of the run still running when the run was read (process_liveness.hpp).
struct RunningProcess {
    std::string role;  // "supervisor", "main" or an xdist worker id
    long pid = 0;
    int attempt = 1;
    std::optional<std::string> nodeid;  // the test (or module) its journal says it is in
    std::string phase;                  // the brief's phase words; "" for the supervisor
    std::int64_t since_ns = 0;          // since when (0: unknown)
};

// The supervisor's death, as its dead man's switch recorded it (supervisor.jsonl).
struct SupervisorLoss {
    int attempt = 1;
    long pid = 0;
    std::int64_t ns = 0;
    bool group_killed = false;       // pytest's process group was still there and got SIGKILL
    std::int64_t cgroup_killed = 0;  // members of the tree's cgroup it killed
};

// A process the command left running when it ended (supervisor.jsonl's `leftovers`).
struct LeftProcess {
    int attempt = 1;
    long pid = 0;
    std::string command;
    bool in_group = false;  // still in pytest's process group (else it had left it)
    bool stopped = false;   // the supervisor stopped it (else it survived SIGKILL)
    std::optional<std::int64_t> started_ns;
    std::optional<std::string> started_during;  // the one test running when it started
};

struct RunModel {
    std::filesystem::path dir;
    std::string id;
    std::string recorder;  // "supervisor", "plugin", or "" when run.json is missing
    std::vector<std::string> command;
    std::string cwd;
    int max_restarts = 0;  // run.json's: the supervisor may resume the suite after a death
    // Per attempt and pytest session, the options that repeat its random order (its main
    // journal's `start`, `seed_options`: "--random-order-seed=123"), when a random-order plugin
    // ran.
    struct SeedOptions {
        int attempt = 1;
        int session = 0;
        std::vector<std::string> words;
    };
    std::vector<SeedOptions> seed_options;
    nlohmann::json context;  // run.json's context plus the Python facts from the journals
    std::optional<std::string> started, ended;  // ISO-8601 UTC
    std::optional<std::int64_t> started_ns;     // run.json's CLOCK_MONOTONIC start
    std::optional<std::int64_t> ended_ns;       // end.json's CLOCK_MONOTONIC end
    std::optional<ClockAnchor> clock;           // the main journal's `start`, else run.json's start
    // end.json's; without it (a plugin-mode run, a supervisor that was killed), from the start
    // to the last record of any journal.
    double duration_s = 0;

    bool finished = false;  // end.json exists: the supervisor saw the end
    std::vector<AttemptEnd> attempt_ends;
    std::optional<int> forwarded_signal;
    std::optional<int> blackbox_exit_code;  // end.json's exit_code
    int attempts = 0;
    // An xdist controller ran `--dist each`: every worker ran every test, and `tests` holds one
    // entry per test and worker (each naming its worker).
    bool dist_each = false;
    // The sessions (TestResult::session) whose xdist controller ran `--dist each`. A test that
    // fewer workers ran than the session started (the controller died first) has a `not_run`
    // entry for each worker that did not: a restart runs it again (record/recording.cpp).
    std::set<int> each_sessions;
    // The pytest sessions the command ran (sessions.hpp): more than one when it started pytest
    // more than once (`bash -c "pytest a; pytest b"`); each test, crash, interruption and
    // collection error names its own (0-based). Each is one per attempt, resumed by the next.
    std::size_t sessions = 1;
    RunCourse course;
    RunSettings settings;

    std::string status;  // passed failed crashed interrupted error incomplete running
    WaitStatus exit;     // the last attempt's main process
    std::optional<int> pytest_exitstatus;  // from the last main journal's session_end
    std::string rootdir;

    std::deque<TestResult> tests;  // collection order; a deque: never copied as it grows
    std::vector<CollectError> collect_errors;
    std::vector<Crash> crashes;
    // The report files the user's command writes, as each attempt's main process named them
    // (an attempt that died before its session started names none), in attempt order.
    std::vector<UserReport> user_reports;
    std::vector<Interruption> interruptions;  // in process order
    std::vector<ScopeMetrics> scopes;         // every process's, journal by journal
    MonitorSettings monitor;                  // the first session_start's that has them
    RunMemory memory;
    Counts counts;
    std::vector<std::string> warnings;  // journals' skipped lines and other oddities
    // Processes whose plugin stopped recording (its `disabled` record): "gw1 (pid 7): reason".
    // Their tests after that point are missing (not run, in the model).
    std::vector<std::string> recording_stopped;
    // What could not be written while recording (a full disk), one sentence each: "main (pid
    // 7): 57 journal records lost from 12:00:01.250 UTC, after tests/test_x.py::test_y (No
    // space left on device)". The tests whose records were lost read as not run.
    std::vector<std::string> recording_lost;
    // The supervisor (until it wrote end.json) and the pytest processes still running: the run
    // is going on (status "running"), and none of them is a crash.
    std::vector<RunningProcess> running;
    std::optional<SupervisorLoss> supervisor_lost;
    std::vector<LeftProcess> left_running;
};

}  // namespace blackbox::postmortem
