#pragma once

// Reading a report to repair and writing it back whole: a reader sees the old file or the new
// one, never a mix, and a missing directory is created.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace blackbox::repair {

// The report's content; nullopt when the file does not exist. Throws blackbox::Error when the
// path exists but is not a readable regular file.
std::optional<std::string> read_report(const std::filesystem::path& path);

// Writes `content` to `path` through a temporary file in the same directory and a rename,
// creating missing parent directories first. Throws blackbox::Error on failure (the old file,
// if any, is then untouched).
void rewrite_report(const std::filesystem::path& path, std::string_view content);

}  // namespace blackbox::repair
