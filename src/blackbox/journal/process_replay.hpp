#pragma once

// Replays one process's journal into what it did: the tests it ran with their phase results,
// its collection, and where it was when the journal ends (what was in flight if it died). The
// post-mortem replays every journal of a run after it ended; the live watch replays them as they
// grow.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/journal/process_files.hpp>
#include <blackbox/journal/reader.hpp>
#include <blackbox/journal/test_result.hpp>
#include <blackbox/journal/user_report.hpp>

namespace blackbox::journal {

// Where a process was at its last record.
struct InFlight {
    enum class Activity { startup, collecting, between_tests, in_test, after_session };
    Activity activity = Activity::startup;
    std::optional<std::string> nodeid;   // the test, or the collector being collected
    std::string phase = "session";       // the brief's phase words
    std::optional<std::string> fixture;  // a broader fixture being set up or torn down
    std::int64_t since_ns = 0;
};

struct WorkerDown {
    std::string worker;
    std::optional<std::string> error;
    std::optional<int> code, signal;
    std::int64_t ns = 0;  // when the controller saw it (its record's time): the worker's death
};

struct WorkerCrash {
    std::string worker;
    std::string nodeid;
    std::int64_t ns = 0;
};

// Records of one process's journal that could not be written (a full disk): a `lost` record
// written once writing worked again, or the process's lost/<stem>.lost file when it never did.
struct JournalLoss {
    std::int64_t since_ns = 0;             // the first write that failed
    std::optional<std::int64_t> until_ns;  // when writing worked again (null: it never did)
    std::optional<std::int64_t> records;   // how many records were lost (null: unknown)
    std::string reason;                    // "No space left on device"
    std::optional<std::string> after;      // the test the loss came after (loss_after()), if any
    bool ended = false;                    // the process then finished pytest in order
};

struct ProcessReplay {
    ProcessFiles files;
    nlohmann::json start;  // the `start` record, or null when it is missing
    bool controller = false;
    bool session_started = false;
    std::optional<std::string> dist;  // a controller's `--dist` mode (session_start's `dist`)
    std::optional<int> capture_stdout_fd, capture_stderr_fd;  // pytest's capture files
    std::optional<MonitorSettings> monitor;    // session_start's `monitor`, when it has one
    std::vector<UserReport> user_reports;      // session_start's `reports`: the user's own files
    std::vector<ScopeMetrics> scopes;          // the `scope` records, in order
    std::optional<int> exitstatus;             // from `session_end`
    bool exited = false;                       // the `exit` record: pytest shut down in order
    std::optional<std::string> interrupt;      // the `interrupt` record's reason
    std::optional<InFlight> interrupted_test;  // the test in flight at that record, if any
    std::int64_t interrupt_ns = 0;             // when it was written
    std::optional<std::string> disabled;       // the `disabled` record's reason: recording stopped
    std::vector<JournalLoss> losses;           // records lost to write failures, in order
    bool lost_end = false;          // the journal's end was lost: how the process ended is unknown
    std::vector<TestResult> tests;  // in the order they started (see ProcessReplayer); outcome
                                    // not yet derived
    std::size_t tests_done = 0;     // tests whose teardown ended
    std::vector<CollectError> collect_errors;
    std::optional<std::size_t> collected_count, deselected_count;
    std::size_t resumed_count = 0;  // of deselected_count, the items a restart deselected
    std::vector<WorkerDown> workers_down;
    std::vector<WorkerCrash> worker_crashes;
    InFlight last;
    std::optional<std::string> latest_test;  // the latest `test` record's node id, kept after
                                             // its teardown (last.nodeid is not)
    std::int64_t first_ns = 0, last_ns = 0;
    std::int64_t collect_ns = 0;  // the first `collect` record: collection began (0: none)
    std::vector<std::string> warnings;

    // Ended without finishing: no `exit` and no `session_end` record. Unknown (false) once
    // recording stopped or its end was lost: the journal then ends early whatever the process
    // did.
    bool cut_short() const { return !disabled && !lost_end && !exited && !exitstatus; }

    // What a loss here came after: the test (or collector) in flight, else the latest test the
    // journal names (between two tests, or after the session), else nothing. Where the journal
    // stops between two tests depends only on where the disk filled up.
    std::optional<std::string> loss_after() const {
        return last.nodeid ? last.nodeid : latest_test;
    }
};

// Called with each test once the journal has moved past it (and with the last one at the end).
using TestSink = std::function<void(TestResult&& test)>;

// Replays a journal one record at a time. Only the test in flight is kept (`state().tests` has
// at most one): every earlier one goes to `sink` (or is dropped without one, as the live watch
// of a running pytest does), so memory does not grow with the suite.
class ProcessReplayer {
  public:
    explicit ProcessReplayer(const ProcessFiles& files, TestSink sink = {});
    ~ProcessReplayer();
    ProcessReplayer(ProcessReplayer&&) noexcept;
    ProcessReplayer& operator=(ProcessReplayer&&) noexcept;

    void apply(const Record& record);
    const ProcessReplay& state() const;
    // The replay, with the reader's warnings first; the test in flight goes to the sink too.
    // The replayer is spent afterwards.
    ProcessReplay finish(std::vector<std::string> read_warnings);

  private:
    class Replayer;
    std::unique_ptr<Replayer> replayer_;
};

// Streams the journal file `files.journal`; the tests go to `sink`.
ProcessReplay replay_process(const ProcessFiles& files, const TestSink& sink);

// Streams the journal file; every test is kept in the result's `tests`.
ProcessReplay replay_process(const ProcessFiles& files);

// Replays journal text (recorded journals in tests).
ProcessReplay replay_process(const ProcessFiles& files, std::string_view content);

}  // namespace blackbox::journal
