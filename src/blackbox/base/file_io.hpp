#pragma once

// Whole-file reads and atomic whole-file writes.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace blackbox::base {

// The file's whole content, or nullopt when it cannot be read (missing, vanished, no permission).
std::optional<std::string> read_file(const std::filesystem::path& path);

// Writes `content` to a temporary file beside `path` and renames it over `path`, so readers see
// the old file or the whole new one. Throws blackbox::Error on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Writes all of `data` to `fd`, retrying on EINTR and short writes. Returns false on error
// (errno set). Async-signal-safe.
bool write_all(int fd, const char* data, std::size_t size) noexcept;

}  // namespace blackbox::base
