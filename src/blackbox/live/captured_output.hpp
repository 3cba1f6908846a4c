#pragma once

// The capture files of a run directory read back (capture/<stem>.stdout and .stderr, which the
// supervisor saves from pytest's capture files as a test dies, CaptureKeeper; capture/<stem>.log,
// the plugin's trail of log records, docs/formats/run-directory.md): what a dying test printed.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace blackbox::live {

struct CapturedOutput {
    std::optional<std::string> out, err;  // the last MiB of each
    std::optional<std::string> log;       // the records logged during the test, if any
};

// What the process `stem` captured, `nodeid` being the test it died in (nullopt: none, and so
// no log records). A file that cannot be read adds a warning. Never throws for what the files
// hold.
CapturedOutput read_captured_output(const std::filesystem::path& run_dir, const std::string& stem,
                                    const std::optional<std::string>& nodeid,
                                    std::vector<std::string>& warnings);

}  // namespace blackbox::live
