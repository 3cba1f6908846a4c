#pragma once

// Making run directories under `.blackbox/` (docs/formats/run-directory.md): unique names,
// the `latest` link, the folder's own .gitignore, the lock a live recording holds on its run,
// and pruning old runs (never one that is held).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <blackbox/base/directory.hpp>

namespace blackbox::rundir {

// `.blackbox` under `base`.
std::filesystem::path state_dir(const std::filesystem::path& base);

// "<UTC yyyymmddTHHMMSSZ>-<6 hex>" for a wall time in nanoseconds.
std::string new_run_id(std::int64_t wall_ns);

// Whether `name` has the shape of a run id ("20261122T042119Z-3fa9c1"): the only names pruning
// ever deletes.
bool is_run_id(std::string_view name);

// A run directory made for one recording: its absolute path, and the directory itself held
// open with the recording's lock (hold_run) for as long as the object lives.
struct NewRunDirectory {
    std::filesystem::path path;
    base::Directory directory;
};

// Makes `<state>/runs/<id>/` (and `.blackbox/.gitignore`), or `explicit_dir` when given (it
// must be missing or empty: a run directory is never reused), with the journal/, collected/ and
// faulthandler/ subfolders, and holds it. Throws blackbox::Error when it cannot.
NewRunDirectory create_run_directory(const std::filesystem::path& state, const std::string& id,
                                     const std::filesystem::path& explicit_dir = {});

// Takes a recording's lock on the open run directory `run` (a shared flock(2) on the directory
// itself): the kernel releases it when the last descriptor of it closes, so also when the
// holder dies. False when it cannot be had. Never throws.
bool hold_run(const base::Directory& run) noexcept;

// Whether a live process holds the run directory at `run_dir` (hold_run). Never throws.
bool run_is_held(const std::filesystem::path& run_dir) noexcept;

// Points `<state>/latest` at `run_dir` (replaced atomically). Failures are ignored: a missing
// link only costs `blackbox show` its default.
void update_latest_link(const std::filesystem::path& state, const std::filesystem::path& run_dir);

// Deletes the oldest run directories in `<state>/runs` so that at most `keep` remain (never
// `current`, never one a live recording holds, never a symbolic link or a name that is not a
// run id). Returns how many were deleted; errors are skipped.
std::size_t prune_runs(const std::filesystem::path& state, std::size_t keep,
                       const std::filesystem::path& current);

// Removes a run directory made for a command that never started.
void remove_run_directory(const std::filesystem::path& run_dir);

}  // namespace blackbox::rundir
