#pragma once

// Reads pytest-abort's crashed-tests log: JSON Lines, one object per crash, with at least
// `nodeid` and optionally test_name, test_class, reason, crash_time, duration, gpu_id, pid,
// source and logged_at (seed 001; docs/commands/postprocess.md).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/repair/crash_entry.hpp>

namespace blackbox::repair {

struct CrashLog {
    std::vector<CrashEntry> crashes;    // in log order, one per line (not yet deduplicated)
    std::vector<std::string> warnings;  // lines skipped, with their line numbers
};

// Parses the log's text. Blank lines are ignored; a line that is not a JSON object, or whose
// `nodeid` is missing or blank, is skipped with a warning (a torn last line is expected when
// the writer died). Never throws.
CrashLog parse_crash_log(std::string_view text);

// Reads and parses the file; nullopt when it does not exist (a serial pytest-abort run never
// writes it, so "no log" means "no crash"). Throws blackbox::Error when it exists but cannot be
// read.
std::optional<CrashLog> read_crash_log(const std::filesystem::path& path);

// The log named by PYTEST_ABORT_CRASHED_TESTS_LOG, else JAX_ROCM_CRASHED_TESTS_LOG (seed 004's
// spelling), else nullopt. Empty values count as unset.
std::optional<std::filesystem::path> crash_log_from_environment();

}  // namespace blackbox::repair
