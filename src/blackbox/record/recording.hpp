#pragma once

// One recorded run: the command under supervision, attempt after attempt. After a death of
// pytest's main process, and while restarts remain, the command starts again on the same
// selection; the plugin skips every test that already finished or crashed (the supervisor
// writes their node ids to resume/<attempt>.txt), so each test body runs at most once.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/base/directory.hpp>
#include <blackbox/base/write_loss.hpp>
#include <blackbox/record/live_run.hpp>
#include <blackbox/rundir/attempts_file.hpp>
#include <blackbox/rundir/end_file.hpp>
#include <blackbox/supervise/exit_status.hpp>

namespace blackbox::record {

struct RecordingOptions {
    std::vector<std::string> command;
    std::filesystem::path run_dir;
    const base::Directory* directory = nullptr;  // run_dir, open (else opened here)
    std::uint64_t output_log_max = 0;            // caps each output log (0: no cap)
    std::filesystem::path plugin_dir;            // holds the pytest_blackbox package
    std::filesystem::path native_library;        // libblackbox_native.so ("": none found)
    bool fsync = false;
    bool allow_terminal = true;
    bool status_line = true;
    WatchOptions watch;  // `attempt` is set per attempt
    int max_restarts = 0;
    std::function<void(pid_t)> on_first_start;  // the first attempt's command started
    // A line for the user between attempts; a leading '\n' asks to end the command's unfinished
    // output line first.
    std::function<void(const std::string&)> say;
};

struct AttemptResult {
    int attempt = 1;
    pid_t pid = -1;
    supervise::ExitStatus status;
    std::optional<int> forwarded_signal;
    std::int64_t started_ns = 0, ended_ns = 0;
    std::int64_t exited_ns = 0;  // when the main process ended (SessionResult::exited_ns)
};

// A file of the run directory the recorder could not write, or not all of (a full disk): the
// run goes on, and end.json's `write_failures` says what was lost from when.
struct WriteFailure {
    std::string file;      // "samples.jsonl"
    base::WriteLoss loss;  // the first failure; amount in `unit` (0 with no unit: the file)
    std::string unit;      // "bytes", "lines", or "" for a whole file that was not written
};

// end.json's `write_failures` (docs/formats/run-directory.md).
std::vector<rundir::WriteFailureRecord> write_failure_records(
    const std::vector<WriteFailure>& failures);

struct RecordingResult {
    std::vector<AttemptResult> attempts;
    std::vector<WriteFailure> write_failures;  // one per file, its first failure
    std::optional<int> spawn_errno;            // the command could not be started (nothing ran)
    bool spawn_not_found = false;              // … because it does not exist
    std::optional<int> forwarded_signal;       // the user stopped the run
    // pytest could not import the plugin (plugin_absence.hpp): the line of its output saying so.
    std::optional<std::string> plugin_not_loaded;
};

RecordingResult record(const RecordingOptions& options);

// attempts.json's list: each attempt's pid and wait status so far
// (docs/formats/run-directory.md).
std::vector<rundir::AttemptRecord> attempt_records(const RecordingResult& result);

// Writes attempts.json into `run_dir`; a failure is added to `result.write_failures`.
void write_attempts(const base::Directory& run_dir, RecordingResult& result);

// Adds the failure of `file` (errno `error`, now) to `failures`, unless that file failed before.
void add_write_failure(std::vector<WriteFailure>& failures, const std::string& file,
                       base::WriteLoss loss, const std::string& unit = "");

}  // namespace blackbox::record
