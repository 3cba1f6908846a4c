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

#include <blackbox/record/live_run.hpp>
#include <blackbox/supervise/exit_status.hpp>

namespace blackbox::record {

struct RecordingOptions {
    std::vector<std::string> command;
    std::filesystem::path run_dir;
    std::filesystem::path plugin_dir;  // holds the pytest_blackbox package
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
};

struct RecordingResult {
    std::vector<AttemptResult> attempts;
    std::optional<int> spawn_errno;       // the command could not be started (nothing ran)
    bool spawn_not_found = false;         // … because it does not exist
    std::optional<int> forwarded_signal;  // the user stopped the run
};

RecordingResult record(const RecordingOptions& options);

// Writes attempts.json: each attempt's pid and wait status so far (docs/formats/run-directory.md).
void write_attempts(const std::filesystem::path& run_dir, const RecordingResult& result);

}  // namespace blackbox::record
