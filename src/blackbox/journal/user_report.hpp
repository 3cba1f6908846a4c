#pragma once

// A report file the user's own pytest command writes (pytest's --junitxml, pytest-json-report,
// pytest-html, pytest-csv, pytest-reportlog), as the main process named it in `session_start`
// (docs/formats/journal.md): each attempt of a restarted run writes it anew, so the supervisor
// keeps each attempt's file and completes the one at the user's path at the end.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace blackbox::journal {

// What identifies a file's content without reading it: it changed when one of these did.
struct FileState {
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ino = 0;

    bool operator==(const FileState&) const = default;
};

struct UserReport {
    std::string kind;                 // "junit", "json-report", "html", "csv", "report-log"
    std::string path;                 // absolute, its exact bytes
    std::optional<FileState> before;  // the file when the session started (nullopt: none)
    int attempt = 1;                  // the attempt whose session named it
};

// The `reports` list of a `session_start` record; entries that are not of the documented shape
// are skipped.
std::vector<UserReport> user_reports_of(const nlohmann::json& reports);

}  // namespace blackbox::journal
