#pragma once

// Appends lines to samples.jsonl: one write() a line on an O_APPEND fd, so every line that was
// written survives any kill of the supervisor (the page cache is the kernel's). A full disk or
// an unwritable file never fails the run: lines that cannot be written are counted and dropped
// (what a short write put in is taken back, so the file stays made of whole lines), and
// once writing works again a `note` record ("what": "lost") says how many lines were lost from
// when.

#include <cstddef>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/base/write_loss.hpp>

namespace blackbox::sample {

class TrailWriter {
  public:
    // Opens (creates, mode 0644) `path` for appending, never through a symbolic link and only
    // when it is a regular file. Never throws: when it cannot be opened, the writer is failed
    // from the start. An empty path: a writer that discards everything without failing.
    explicit TrailWriter(const std::filesystem::path& path);

    // Appends `line` (which must end in '\n'). False when it was not written. Thread-safe.
    bool append(std::string_view line);

    // errno of the first failure (open or write), if any. Thread-safe.
    std::optional<int> failure() const;

    // The lines lost to failures (amount in lines), if any. Thread-safe.
    std::optional<base::WriteLoss> loss() const;

  private:
    bool write_locked(std::string_view line);
    void lose_locked(int error);
    void fail_locked(int error);

    mutable std::mutex mutex_;
    base::UniqueFd fd_;
    bool opened_ = false;  // false: the file could not be opened (everything is lost)
    std::optional<int> failure_;
    std::optional<base::WriteLoss> loss_;
    std::size_t unreported_ = 0;  // lines lost since the last note that said so
    std::string remainder_;       // the unwritten end of a line a short write tore
};

}  // namespace blackbox::sample
