#pragma once

// Builds the RunModel of a run directory from its files alone (run.json, end.json, journals,
// collected items, faulthandler files), so it works on a run whose supervisor was killed.

#include <filesystem>
#include <optional>
#include <vector>

#include <blackbox/postmortem/run_model.hpp>
#include <blackbox/rundir/attempts_file.hpp>
#include <blackbox/rundir/end_file.hpp>
#include <blackbox/rundir/run_directory_check.hpp>

namespace blackbox::postmortem {

// Exit status for "this is not a run directory".
using rundir::kNotARunExitCode;

// What the supervisor that records the run knows of its end, taken instead of the files it
// could not write (a full disk): the documents end.json and attempts.json would hold.
struct KnownEnd {
    std::optional<rundir::EndRecord> end;                        // nullopt: read end.json
    std::optional<std::vector<rundir::AttemptRecord>> attempts;  // nullopt: read attempts.json
};

// Throws blackbox::Error (exit code kNotARunExitCode) when `dir` holds neither run.json nor
// journals, when one of its entries is not of its documented type (rundir::check_run_directory), or
// when its journal/ cannot be read; everything else odd in the files becomes a warning in the
// model.
RunModel load_run(const std::filesystem::path& dir, const KnownEnd* known = nullptr);

// The status `blackbox run` exits with for this run (docs/commands/run.md): pytest's own when
// it finished its session, 128 + N when a signal N killed it, its exit code (1 for 0) when it
// ended without finishing its session.
int run_exit_code(const RunModel& run);

}  // namespace blackbox::postmortem
