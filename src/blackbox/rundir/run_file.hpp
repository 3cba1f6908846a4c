#pragma once

// run.json: the run as it started (the command, where it ran, the execution context), written
// first by the supervisor, or by the plugin when pytest records alone
// (docs/formats/run-directory.md).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/base/directory.hpp>

namespace blackbox::rundir {

struct RunRecord {
    std::string id;
    std::optional<std::string> started;      // ISO-8601 UTC
    std::optional<std::int64_t> started_ns;  // CLOCK_MONOTONIC, the same instant
    std::string recorder;                    // "supervisor" or "plugin"
    std::vector<std::string> command;        // exact bytes (any bytes: kept beside their text)
    std::string cwd;                         // exact bytes
    // `blackbox run --max-restarts N`: the suite may be resumed after a death (0: never).
    int max_restarts = 0;
    nlohmann::json context;  // the execution context (an object), or null
    // What `pytest --blackbox` records instead of a context: the facts the context is derived
    // from (docs/formats/context.md); null when absent. Read only: the supervisor writes the
    // context itself.
    nlohmann::json context_facts;
};

nlohmann::json run_to_json(const RunRecord& run);

// What `doc` says as run.json; what is not of its documented type is absent (a command word that
// is not base64 under `command_bytes` is taken as its text). Never throws.
RunRecord run_from_json(const nlohmann::json& doc);

// Writes run.json into `run_dir`: 0, or the errno of the failure. Never throws.
int write_run_file(const base::Directory& run_dir, const RunRecord& run) noexcept;

// run.json of the run directory `dir`: nullopt when it is missing, and with a warning when it
// cannot be read or is not a JSON object.
std::optional<RunRecord> read_run_file(const std::filesystem::path& dir,
                                       std::vector<std::string>& warnings);

}  // namespace blackbox::rundir
