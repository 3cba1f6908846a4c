#pragma once

// Builds the RunModel of a run directory from its files alone (run.json, end.json, journals,
// collected items, faulthandler files), so it works on a run whose supervisor was killed.

#include <filesystem>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

// Exit status for "this is not a run directory".
inline constexpr int kNotARunExitCode = 2;

// Throws blackbox::Error (exit code kNotARunExitCode) when `dir` holds neither run.json nor
// journals; everything else odd in the files becomes a warning in the model.
RunModel load_run(const std::filesystem::path& dir);

// The status `blackbox run` exits with for this run (docs/commands/run.md): pytest's own when
// it finished its session, 128 + N when a signal N killed it, its exit code (1 for 0) when it
// ended without finishing its session.
int run_exit_code(const RunModel& run);

}  // namespace blackbox::postmortem
