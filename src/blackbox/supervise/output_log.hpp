#pragma once

// The file that receives every byte the command prints (output.log in the run directory).
// Writing it must never break the user's run: a failure (a full disk) loses output, not the
// command, and the log says where output is missing once it can be written again. Its size can
// be capped: past the cap it keeps the head and the tail of the output, with a marker between.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/base/write_loss.hpp>

namespace blackbox::supervise {

// The smallest cap honoured (a smaller one is raised to it).
inline constexpr std::uint64_t kMinOutputLogCap = 4096;

class OutputLog {
  public:
    // Creates `path` exclusively (mode 0644; never through a symbolic link, never over an
    // existing file). An empty path records nothing. When the file cannot be created, error()
    // says why and writes are dropped. `max_bytes` caps the file (0: no cap): it then holds the
    // first quarter of the cap, a marker line saying how many bytes were left out, and at least
    // the last quarter (at most the cap in all).
    explicit OutputLog(const std::filesystem::path& path, std::uint64_t max_bytes = 0) noexcept;

    // Appends `size` bytes with write(2): once it returns they are in the page cache and survive
    // any death of this process. Bytes that cannot be written (a full disk) are counted, and a
    // line "[blackbox: N bytes of output lost here: <reason>]" takes their place once writing
    // works again.
    void write(const char* data, std::size_t size) noexcept;

    // errno of the first failure (opening or writing); nullopt while all is well.
    std::optional<int> error() const noexcept { return error_; }
    // The output lost to write failures (amount in bytes); nullopt when nothing was lost.
    std::optional<base::WriteLoss> loss() const noexcept { return loss_; }
    // Bytes left out by the cap.
    std::uint64_t cut_bytes() const noexcept { return cut_bytes_; }

  private:
    bool append(const char* data, std::size_t size) noexcept;
    void lost(std::size_t bytes, int error) noexcept;
    void collapse() noexcept;

    base::UniqueFd fd_;
    std::optional<int> error_;
    std::optional<base::WriteLoss> loss_;
    std::uint64_t unreported_ = 0;  // bytes lost since the last marker that said so
    std::uint64_t max_bytes_ = 0;
    std::uint64_t size_ = 0;           // the file's size: where the next byte goes
    std::uint64_t marker_offset_ = 0;  // of the cap's marker line (0: none yet)
    std::uint64_t cut_bytes_ = 0;
};

}  // namespace blackbox::supervise
