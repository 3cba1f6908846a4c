#pragma once

// `blackbox postprocess --sanitize-html PATH...`: sanitize_jsonblob() over files and
// directory trees, as pytest-abort's sanitize_all_html_jsonblobs() before pytest_html_merger.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace blackbox::repair {

struct SanitizeReport {
    std::vector<std::filesystem::path> sanitized;  // files rewritten
    std::size_t unchanged = 0;                     // valid already, or without a blob
    std::vector<std::string> errors;               // "<path>: <why>" for files left untouched
};

// Each PATH is a file, or a directory searched recursively for files named *.html (in sorted
// order). Sanitized files are rewritten atomically; nothing else is touched. Never throws.
SanitizeReport sanitize_html_paths(const std::vector<std::filesystem::path>& paths);

}  // namespace blackbox::repair
