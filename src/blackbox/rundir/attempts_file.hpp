#pragma once

// attempts.json: each attempt's pid and wait status so far, written after each attempt, so a
// run that restarted knows its earlier deaths even while a later attempt runs; end.json repeats
// the list (docs/formats/run-directory.md).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/base/directory.hpp>

namespace blackbox::rundir {

// How the main process of an attempt ended, as the supervisor's wait(2) saw it.
struct WaitRecord {
    std::optional<int> code;
    std::optional<int> signal;
    bool core_dumped = false;
};

struct AttemptRecord {
    int attempt = 1;
    long pid = 0;
    WaitRecord wait;
    std::optional<int> forwarded_signal;  // a signal the user sent, forwarded to pytest
    std::int64_t started_ns = 0, ended_ns = 0;
    // When the supervisor saw the main process end (its wait returned), before the cleanup of
    // the tree that `ended_ns` includes; 0 when unknown (files written before it was recorded).
    std::int64_t exited_ns = 0;
};

// The list as attempts.json and end.json hold it: [{"attempt", "pid", "wait", …}, …].
nlohmann::json attempts_to_json(const std::vector<AttemptRecord>& attempts);

// The list under `doc`'s "attempts" (attempts.json's or end.json's document); what is not of
// its documented type is skipped or read as its default. Never throws.
std::vector<AttemptRecord> attempts_from_json(const nlohmann::json& doc);

// Writes attempts.json into `run_dir`: 0, or the errno of the failure. Never throws.
int write_attempts_file(const base::Directory& run_dir,
                        const std::vector<AttemptRecord>& attempts) noexcept;

// attempts.json of the run directory `dir`: nullopt when it is missing, and with a warning when
// it cannot be read or is not a JSON object.
std::optional<std::vector<AttemptRecord>> read_attempts_file(const std::filesystem::path& dir,
                                                             std::vector<std::string>& warnings);

}  // namespace blackbox::rundir
