#pragma once

// The crashed-tests log in pytest-abort's JSONL format (docs/compatibility.md): one JSON object
// per line and per crashed test, with pytest-abort's keys in its order — test_name, test_class,
// nodeid, reason, crash_time, duration, gpu_id, pid, source, logged_at. A view of the RunModel:
// `crashed_tests.jsonl` in every run directory, and lines appended to a user's
// PYTEST_ABORT_CRASHED_TESTS_LOG, serial crashes included (pytest-abort only logged xdist ones).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/postmortem/run_model.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::report {

inline constexpr const char* kCrashedTestsLogName = rundir::kCrashedTestsLogFile;

struct CrashedTestsLogOptions {
    // `gpu_id` of every line: HIP_VISIBLE_DEVICES as pytest had it. nullopt: this process's own
    // HIP_VISIBLE_DEVICES (pytest inherits the supervisor's), "unknown" when unset, as
    // pytest-abort writes it.
    std::optional<std::string> gpu_id;
    // Now, for `logged_at` and to turn a death's CLOCK_MONOTONIC time into local time: wall-clock
    // and monotonic nanoseconds taken together. 0: read the clocks.
    std::int64_t now_wall_ns = 0;
    std::int64_t now_ns = 0;
};

// One line (ending in '\n') per crash of a test: a death in its setup, call or teardown. Not
// collection or session deaths (no test), nor a test that was merely still running in another
// xdist worker when the main process died (`collateral`: it did not crash). `duration` is the
// time the test spent in the phase it died in, from the phase's start to the last memory sample
// of the dying process; null when either is unknown or the sample came before the phase began.
// `crash_time` is the local time of the later of the two (when the process was last known
// alive), else now. `source` is "xdist:<worker>" for a worker's crash, else "blackbox".
std::vector<std::string> crashed_tests_lines(const postmortem::RunModel& run,
                                             const CrashedTestsLogOptions& options = {});

// Writes `file` (the run directory's crashed_tests.jsonl): every line, or nothing when no test
// crashed. Written to a temporary file and renamed. Throws blackbox::Error.
void write_crashed_tests_log(const postmortem::RunModel& run, const std::filesystem::path& file,
                             const CrashedTestsLogOptions& options = {});

// Appends the lines to a user's log (PYTEST_ABORT_CRASHED_TESTS_LOG), making its directory,
// under an exclusive flock and without fsync, as pytest-abort appends. A crash the log already
// has a line for (same nodeid and pid, or same nodeid and source when the line has no pid) is
// skipped: the xdist controller's compat plugin logs a worker's crash as it happens, and a
// second call appends nothing. Returns the number of lines appended. Throws blackbox::Error.
std::size_t append_crashed_tests_log(const postmortem::RunModel& run,
                                     const std::filesystem::path& file,
                                     const CrashedTestsLogOptions& options = {});

// pytest's item name (the node id's last part, parameters included) and the class path of a
// test in a class ("TestA", "TestOuter::TestInner"), from a node id.
std::string test_name_of(const std::string& nodeid);
std::optional<std::string> test_class_of(const std::string& nodeid);

// The `reason` sentence: phase, cause and signal or exit code ("Test crashed in the call phase:
// segmentation fault (SIGSEGV)").
std::string crash_reason(const postmortem::Crash& crash);

// "2026-01-14T23:59:59.123456": local time with microseconds, as Python's
// datetime.now().isoformat() writes it.
std::string local_iso_time(std::int64_t wall_ns);

}  // namespace blackbox::report
