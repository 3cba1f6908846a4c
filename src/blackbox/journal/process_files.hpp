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
    // The pytest session this process belongs to, 0 for the first (the post-mortem numbers
    // them: postmortem/sessions.hpp); 0 until then.
    int session = 0;
    std::filesystem::path journal;       // journal/<stem>.jsonl
    std::filesystem::path collected;     // collected/<stem>.jsonl (may not exist)
    std::filesystem::path faulthandler;  // faulthandler/<stem>.txt (may not exist)
    std::filesystem::path native;        // native/<stem>.txt (may not exist)
    std::filesystem::path lost;          // lost/<stem>.lost (may not exist)

    bool is_worker() const { return role != "main"; }
};

// Splits "<attempt>-<role>-<pid>"; nullopt when the stem does not have that shape.
std::optional<ProcessFiles> parse_stem(const std::string& stem);

// Every process that left a journal in `run_dir`, ordered by attempt, then main before
// workers, then worker number, then pid. When journal/ exists but cannot be listed (no
// permission, not a directory, a symbolic link: never followed), none, and `error` (when given)
// says why; a missing journal/ is no error.
std::vector<ProcessFiles> find_process_files(const std::filesystem::path& run_dir,
                                             std::string* error = nullptr);

}  // namespace blackbox::journal
