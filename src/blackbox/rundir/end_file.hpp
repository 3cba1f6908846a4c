#pragma once

// end.json: how the command ended, written by the supervisor when it ends (its presence says the
// run is finished), with what it could not write while recording (docs/formats/run-directory.md).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/base/directory.hpp>
#include <blackbox/rundir/attempts_file.hpp>

namespace blackbox::rundir {

// A file of the run directory the supervisor could not write, or not all of (a full disk).
struct WriteFailureRecord {
    std::string file;                      // "samples.jsonl"
    std::optional<std::int64_t> since_ns;  // the first failure
    std::string error;                     // "No space left on device"
    std::optional<std::int64_t> lost;      // how much was lost, in `unit`; null: the whole file
    std::string unit;                      // "bytes", "lines", or "" for a whole file
};

struct EndRecord {
    std::optional<std::string> ended;      // ISO-8601 UTC
    std::optional<std::int64_t> ended_ns;  // CLOCK_MONOTONIC, the same instant
    std::optional<double> duration_s;
    std::optional<int> forwarded_signal;  // the user stopped the run
    std::optional<int> exit_code;         // blackbox run's; null until it is known
    std::vector<AttemptRecord> attempts;  // also here: end.json alone tells how pytest ended
    std::vector<WriteFailureRecord> write_failures;  // written only when there are some
};

nlohmann::json end_to_json(const EndRecord& end);

// What `doc` says as end.json; what is not of its documented type is absent. Never throws.
EndRecord end_from_json(const nlohmann::json& doc);

// Writes end.json into `run_dir`: 0, or the errno of the failure. Never throws.
int write_end_file(const base::Directory& run_dir, const EndRecord& end) noexcept;

// end.json of the run directory `dir`: nullopt when it is missing, and with a warning when it
// cannot be read or is not a JSON object.
std::optional<EndRecord> read_end_file(const std::filesystem::path& dir,
                                       std::vector<std::string>& warnings);

}  // namespace blackbox::rundir
