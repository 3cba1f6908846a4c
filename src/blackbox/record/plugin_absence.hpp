#pragma once

// An attempt whose pytest never loaded the plugin: the command's Python could not import it (a
// Python in isolated mode inside a script, a tool that drops PYTHONPATH but passes
// PYTEST_PLUGINS). pytest then stops before collecting, for want of a plugin blackbox asked it to
// load: nothing is recorded, and the failure is blackbox's, not the suite's (exit 3,
// docs/commands/run.md, "Isolated Python").

#include <filesystem>
#include <optional>
#include <string>

namespace blackbox::record {

// The line of the attempt's output that says pytest_blackbox could not be imported, when the
// attempt's main pytest process wrote no journal; nullopt otherwise (the plugin ran, or the
// command failed for a reason of its own).
std::optional<std::string> plugin_not_loaded(const std::filesystem::path& run_dir, int attempt);

}  // namespace blackbox::record
