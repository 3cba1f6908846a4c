#pragma once

// Making run directories under `.blackbox/` (docs/formats/run-directory.md): unique names,
// the `latest` link, the folder's own .gitignore, and pruning old runs.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace blackbox::rundir {

// `.blackbox` under `base`.
std::filesystem::path state_dir(const std::filesystem::path& base);

// "<UTC yyyymmddTHHMMSSZ>-<6 hex>" for a wall time in nanoseconds.
std::string new_run_id(std::int64_t wall_ns);

// Creates `<state>/runs/<id>/` (and `.blackbox/.gitignore`), or `explicit_dir` when given, with
// the journal/, collected/ and faulthandler/ subfolders. Throws blackbox::Error when it cannot.
std::filesystem::path create_run_directory(const std::filesystem::path& state,
                                           const std::string& id,
                                           const std::filesystem::path& explicit_dir = {});

// Points `<state>/latest` at `run_dir` (replaced atomically). Failures are ignored: a missing
// link only costs `blackbox show` its default.
void update_latest_link(const std::filesystem::path& state, const std::filesystem::path& run_dir);

// Deletes the oldest run directories in `<state>/runs` so that at most `keep` remain (never
// `current`). Returns how many were deleted; errors are skipped.
std::size_t prune_runs(const std::filesystem::path& state, std::size_t keep,
                       const std::filesystem::path& current);

// Removes a run directory made for a command that never started.
void remove_run_directory(const std::filesystem::path& run_dir);

}  // namespace blackbox::rundir
