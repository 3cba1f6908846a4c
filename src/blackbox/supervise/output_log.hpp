#pragma once

// The file that receives every byte the command prints (output.log in the run directory).
// Writing it must never break the user's run: a failure stops the log, not the command.

#include <cstddef>
#include <filesystem>
#include <optional>

#include <blackbox/base/unique_fd.hpp>

namespace blackbox::supervise {

class OutputLog {
  public:
    // Creates or truncates `path` (mode 0644). An empty path records nothing. When the file
    // cannot be created, error() says why and writes are dropped.
    explicit OutputLog(const std::filesystem::path& path) noexcept;

    // Appends `size` bytes with write(2): once it returns they are in the page cache and survive
    // any death of this process. After the first failure (full disk) nothing more is written, so
    // the log always holds a prefix of the output.
    void write(const char* data, std::size_t size) noexcept;

    // errno of the first failure (opening or writing); nullopt while all is well.
    std::optional<int> error() const noexcept { return error_; }

  private:
    base::UniqueFd fd_;
    std::optional<int> error_;
};

}  // namespace blackbox::supervise
