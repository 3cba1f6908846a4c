#pragma once

// The files one pytest process writes in a run directory, found by their common stem
// `<attempt>-<role>-<pid>` (docs/formats/journal.md).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace blackbox::journal {

struct ProcessFiles {
    int attempt = 1;
    std::string role;  // "main" or an xdist worker id such as "gw0"
    long pid = 0;
    std::filesystem::path journal;       // journal/<stem>.jsonl
    std::filesystem::path collected;     // collected/<stem>.jsonl (may not exist)
    std::filesystem::path faulthandler;  // faulthandler/<stem>.txt (may not exist)

    bool is_worker() const { return role != "main"; }
};

// Splits "<attempt>-<role>-<pid>"; nullopt when the stem does not have that shape.
std::optional<ProcessFiles> parse_stem(const std::string& stem);

// Every process that left a journal in `run_dir`, ordered by attempt, then main before
// workers, then worker number, then pid.
std::vector<ProcessFiles> find_process_files(const std::filesystem::path& run_dir);

}  // namespace blackbox::journal
