#pragma once

// Follows a growing file and hands over its complete new lines, keeping the torn end for the
// next read: the live counterpart of journal::read_lines for a file another process appends to.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace blackbox::live {

class JournalTail {
  public:
    explicit JournalTail(std::filesystem::path path) : path_(std::move(path)) {}

    // Reads what was appended since the last call and calls `on_line` for each complete line
    // (without its '\n'); lines longer than `max_line` are dropped. Returns the bytes read.
    // A file that cannot be read (not yet created, removed) reads as nothing new.
    std::size_t poll(const std::function<void(std::string_view line)>& on_line,
                     std::size_t max_line);

    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
    std::uint64_t offset_ = 0;
    std::string partial_;
    bool dropping_ = false;  // inside an overlong line: skip to its end
};

}  // namespace blackbox::live
