#pragma once

// What a journal says of one test, one scope and one collection error: the records' meaning,
// as the replay of a journal (process_replay.hpp) builds it and the run's model
// (postmortem::RunModel) keeps it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace blackbox::journal {

// What one phase reported beyond its outcome; most phases have none of it, so it lives apart.
struct PhaseDetails {
    std::string wasxfail;                 // the xfail reason (PhaseResult::wasxfail says if any)
    std::optional<std::string> reason;    // skip reason
    std::optional<std::string> longrepr;  // failure text
    std::vector<std::pair<std::string, std::string>> sections;  // captured output
    nlohmann::json props;                                       // user_properties, or null
};

// What one phase (setup, call or teardown) of a test reported. Kept small: a run may hold
// hundreds of thousands of them.
struct PhaseResult {
    enum class Outcome : std::uint8_t { passed, failed, skipped };
    Outcome outcome = Outcome::passed;  // pytest's report outcome
    bool wasxfail = false;              // an expected failure (strict or not)
    double duration_s = 0;
    std::int64_t begin_ns = 0;  // 0 when the journal has no `begin` for it
    std::int64_t end_ns = 0;
    std::shared_ptr<const PhaseDetails> details;  // null when there is nothing more
};

// One kind of resource a test left behind in its process: how many more there were after it
// than before, and the names of (at most ten of) the new ones.
struct Leftover {
    std::string kind;  // "fds", "threads", "children" or "figures"
    std::int64_t count = 0;
    std::vector<std::string> names;  // "7 -> /tmp/x", a thread's name, "1234 sleep 30", …
};

// What followed a test's protocol (the journal's `after_test`, written only with
// --blackbox-gc-after-each or --blackbox-sentinels, and only when there was something to say).
struct AfterTest {
    std::optional<std::int64_t> gc_freed_bytes;  // RSS before gc.collect() minus after it
    std::optional<std::int64_t> gc_objects;      // what gc.collect() returned
    std::optional<double> gc_s;
    std::vector<Leftover> left;  // the kinds that went up, in the journal's order
};

// A crashed test's phase that never ended: which one, and how long it ran until the process
// died (from the phase's beginning to the death, as the post-mortem dates it).
struct CutPhase {
    enum class Phase : std::uint8_t { setup, call, teardown };
    Phase phase = Phase::call;
    double duration_s = 0;
};

// A test whose forked child died (pytest-forked's report of phase `???`): the test's own
// process was a child of the recording one, which lived on and reported the death.
struct ChildDeath {
    std::optional<int> signal;  // the `end` record's, else read from the report's text
    std::string phase;          // "setup", "call" or "teardown": the child's last `begin`
    long pid = 0;               // the child's pid (its `begin` records'); 0 when unknown
    std::string report;         // pytest-forked's text ("…: running the test CRASHED with …")
    std::int64_t since_ns = 0;  // when that phase began
    std::int64_t ns = 0;        // when the recording process reported the death
};

// One subtest's report (the journal's `subtest`: pytest-subtests' `subtests.test`, unittest's
// `self.subTest`), in the order they ran.
struct Subtest {
    std::optional<std::string> msg;
    std::vector<std::pair<std::string, std::string>> params;  // name -> repr of the value
    std::string outcome;                                      // passed, failed or skipped
    double duration_s = 0;
    std::optional<std::string> longrepr;  // a failure's text
    std::optional<std::string> reason;    // a skip's reason
};

// One try of a test that pytest-rerunfailures ran again after it: the try's outcome ("failed"
// in the call, "error" in the setup or teardown), where it failed and why.
struct RerunTry {
    std::string outcome;
    std::string phase;
    std::optional<std::string> longrepr;
    double duration_s = 0;
};

struct TestResult {
    std::string nodeid;
    std::string outcome;  // passed failed skipped xfailed xpassed error crashed not_run
    std::optional<PhaseResult> setup, call, teardown;
    std::optional<std::string> worker;
    int attempt = 1;
    // The pytest session that ran it, 0 for the first: a command that runs pytest more than
    // once (`bash -c "pytest a; pytest b"`) keeps each session's entry of a node id apart.
    int session = 0;
    // Under `--dist each` every worker runs the test: this entry is its worker's (stored per
    // worker, store::stored_nodeid).
    bool each_worker = false;
    std::optional<std::size_t> crash;        // index into RunModel::crashes
    std::optional<std::size_t> interrupted;  // index into RunModel::interruptions
    // Measured by the plugin in the test's own process (absent when it could not be).
    std::optional<std::int64_t> peak_rss_bytes;  // exact: the high-water mark was reset
    std::optional<double> cpu_user_s, cpu_sys_s;
    // The wall time those CPU times were taken over (the test's start to its teardown's end,
    // what runs between the phases included); absent from journals of older plugins.
    std::optional<double> cpu_wall_s;
    std::optional<std::int64_t> rss_before_bytes, rss_after_bytes;  // at its start, after teardown
    // The scheduler's account of the thread that ran it: its time on a processor, and its time
    // runnable but waiting for one (the machine's doing, not the test's). Absent without
    // schedstats.
    std::optional<double> main_cpu_s, run_delay_s;
    // The peak of the test's process tree (its pytest process and what it started) during the
    // test, from the supervisor's samples; and how much that tree grew across the test.
    std::optional<std::int64_t> peak_tree_rss_bytes;
    std::optional<std::int64_t> tree_rss_growth_bytes;
    // The same tree measured without counting a shared page twice (RunMemory::tree_measure):
    // its peak during the test, how far that peak rose above the tree at the test's start
    // (what the test added), and how much the tree grew across the test (what it kept).
    std::optional<std::int64_t> peak_tree_pss_bytes;
    std::optional<std::int64_t> tree_pss_added_bytes;
    std::optional<std::int64_t> tree_pss_growth_bytes;
    // The peak above is estimated from RSS: samples between two PSS reads found the tree larger
    // than any read of as many processes did (a child that came, or grew, between reads); their
    // RSS less the double count a read found stands for it (all of their RSS, an upper bound,
    // where no read saw so many processes).
    bool tree_pss_from_rss = false;
    long pid = 0;                            // the pytest process that ran it
    std::shared_ptr<const AfterTest> after;  // null without an `after_test` record (most tests)
    // Set by the post-mortem for a crashed test whose death it could date (absent otherwise).
    std::optional<CutPhase> cut;
    // Rare facts, empty for nearly every test: its forked child's death, its subtests, and
    // the tries pytest-rerunfailures ran before this one (oldest first).
    std::shared_ptr<const ChildDeath> child_death;
    std::vector<Subtest> subtests;
    std::vector<RerunTry> reruns;
    bool rerun = false;  // this try was reported as "rerun": pytest-rerunfailures ran it again

    // setup + call + teardown, as JUnit's `time`; for a crashed test, the phase cut short counts
    // up to the death: its start to its death.
    double duration_s() const;
    // One phase's duration: the journal's, or up to the death for the phase cut short; nullopt
    // for a phase that did not run.
    std::optional<double> phase_duration_s(CutPhase::Phase phase) const;
};

// A module, class or session as one process ran it (the journal's `scope` record, written only
// for the scopes the user asked for): what the metrics database stores for those kinds.
struct ScopeMetrics {
    std::string kind;                   // "module", "class" or "session"
    std::string nodeid;                 // the collector's node id; "" for the session
    std::optional<std::string> module;  // dotted name; null for the session and non-Python files
    std::string name;                   // module's last part, class name, or the session's
    std::optional<std::string> file;    // relative to the rootdir; null for the session
    std::string component;
    std::int64_t begin_ns = 0, end_ns = 0;  // CLOCK_MONOTONIC
    double cpu_user_s = 0, cpu_sys_s = 0;
    std::optional<std::int64_t> peak_rss_bytes, rss_before_bytes, rss_after_bytes;
    std::optional<std::string> worker;
    int attempt = 1;
};

// pytest-monitor's controls as the user set them for the run (`session_start`'s `monitor`,
// docs/formats/journal.md); the defaults are a journal without them.
struct MonitorSettings {
    bool enabled = true;
    std::vector<std::string> scopes{"function"};
    bool explicit_params = false;
    std::optional<std::string> component_prefix, force_component, description;
    std::vector<std::pair<std::string, std::string>> tags;  // sorted by key
};

struct CollectError {
    std::string nodeid;
    std::string longrepr;
    std::optional<std::string> worker;
    int session = 0;  // the pytest session that collected it (TestResult::session)
};

// The order in which kinds of leftovers are listed: fds, threads, children, figures, then any
// other kind.
int leftover_rank(std::string_view kind);

// A kind of leftover in words, for people: "file descriptors", "child processes", …; an
// unknown kind as is.
std::string_view leftover_title(std::string_view kind);

}  // namespace blackbox::journal
