#pragma once

// Appends lines to samples.jsonl: one write() a line on an O_APPEND fd, so every line that was
// written survives any kill of the supervisor (the page cache is the kernel's). A full disk or
// an unwritable file never fails the run: the first failure stops the writer for good (the
// line it tore can then only be the last, which readers skip) and is kept for the report.

#include <filesystem>
#include <mutex>
#include <optional>
#include <string_view>

#include <blackbox/base/unique_fd.hpp>

namespace blackbox::sample {

class TrailWriter {
  public:
    // Opens (creates, mode 0644) `path` for appending. Never throws: when it cannot be opened,
    // the writer is failed from the start. An empty path: a writer that discards everything
    // without failing.
    explicit TrailWriter(const std::filesystem::path& path);

    // Appends `line` (which must end in '\n'). False when nothing more is written, now or
    // before. Thread-safe.
    bool append(std::string_view line);

    // errno of the failure that stopped the writer (open or write), if any. Thread-safe.
    std::optional<int> failure() const;

  private:
    mutable std::mutex mutex_;
    base::UniqueFd fd_;
    std::optional<int> failure_;
};

}  // namespace blackbox::sample
