#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <unistd.h>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/directory.hpp>
#include <blackbox/base/memory_size.hpp>
#include <blackbox/supervise/output_log.hpp>

namespace blackbox::supervise {

namespace {

// pwrite(2) of all of `size` bytes at `offset`; the bytes written before an error in `written`.
bool pwrite_all(int fd, const char* data, std::size_t size, std::uint64_t offset,
                std::size_t& written) noexcept {
    written = 0;
    while (written < size) {
        ssize_t n =
            ::pwrite(fd, data + written, size - written, static_cast<off_t>(offset + written));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                errno = ENOSPC;
            }
            return false;
        }
        written += static_cast<std::size_t>(n);
    }
    return true;
}

// The cap's marker line, of the same length whatever the count (it is rewritten in place).
std::string cap_marker(std::uint64_t max_bytes, std::uint64_t cut) {
    return fmt::format(
        "\n[blackbox: output.log keeps at most {}: {:>20} bytes of output left "
        "out here]\n",
        base::format_size(max_bytes), cut);
}

}  // namespace

OutputLog::OutputLog(const std::filesystem::path& path, std::uint64_t max_bytes) noexcept
    : max_bytes_(max_bytes == 0 ? 0 : std::max(max_bytes, kMinOutputLogCap)) {
    if (path.empty()) {
        return;
    }
    // No O_APPEND: the log is written at its own offsets, which the cap moves back (and reads).
    fd_ = base::open_for_append(AT_FDCWD, path.c_str(), /*exclusive=*/true, O_RDWR);
    if (!fd_) {
        error_ = errno;
    }
}

void OutputLog::lost(std::size_t bytes, int error) noexcept {
    if (!error_) {
        error_ = error;
    }
    if (!loss_) {
        loss_ = base::WriteLoss{base::monotonic_ns(), error, 0};
    }
    loss_->amount += bytes;
    unreported_ += bytes;
}

bool OutputLog::append(const char* data, std::size_t size) noexcept {
    std::size_t written = 0;
    bool ok = pwrite_all(fd_.get(), data, size, size_, written);
    size_ += written;
    if (!ok) {
        lost(size - written, errno);
    }
    return ok;
}

void OutputLog::write(const char* data, std::size_t size) noexcept {
    if (!fd_) {
        return;
    }
    if (unreported_ != 0) {
        try {
            auto note = fmt::format("\n[blackbox: {} bytes of output lost here: {}]\n", unreported_,
                                    std::strerror(loss_ ? loss_->error : ENOSPC));
            std::size_t written = 0;
            if (!pwrite_all(fd_.get(), note.data(), note.size(), size_, written)) {
                size_ += written;
                lost(size, errno);
                return;
            }
            size_ += written;
            unreported_ = 0;
        } catch (...) {
            lost(size, ENOMEM);
            return;
        }
    }
    while (size > 0) {
        std::size_t room = size;
        if (max_bytes_ != 0) {
            if (size_ >= max_bytes_) {
                collapse();
            }
            room = static_cast<std::size_t>(
                std::min<std::uint64_t>(size, max_bytes_ - std::min(size_, max_bytes_)));
            if (room == 0) {
                lost(size, error_.value_or(ENOSPC));  // the cap could not make room
                return;
            }
        }
        if (!append(data, room)) {
            lost(size - room, errno);
            return;
        }
        data += room;
        size -= room;
    }
}

void OutputLog::collapse() noexcept {
    // The file is full: keep its head (a quarter of the cap), the marker, and its last quarter,
    // moved right after the marker. The ranges never overlap, so a death halfway through leaves
    // the head, the marker, a partial copy and the whole tail still at the end.
    const std::uint64_t head = max_bytes_ / 4;
    std::string marker;
    try {
        marker = cap_marker(max_bytes_, 0);
    } catch (...) {
        return;
    }
    const std::uint64_t body =
        marker_offset_ != 0 ? marker_offset_ + marker.size() : head + marker.size();
    std::uint64_t tail = max_bytes_ / 4;
    std::uint64_t from = size_ - tail;
    // Start the tail on a line of its own when a line ends near its start.
    {
        char probe[4096];
        ssize_t got = ::pread(fd_.get(), probe, sizeof probe, static_cast<off_t>(from));
        if (got > 0) {
            const void* newline = std::memchr(probe, '\n', static_cast<std::size_t>(got));
            if (newline != nullptr) {
                auto skip = static_cast<const char*>(newline) - probe + 1;
                from += static_cast<std::uint64_t>(skip);
                tail -= static_cast<std::uint64_t>(skip);
            }
        }
    }
    // The first time the marker itself covers output too.
    cut_bytes_ += from - (marker_offset_ == 0 ? head : body);
    std::size_t written = 0;
    if (marker_offset_ == 0) {
        marker_offset_ = head;
    }
    marker = cap_marker(max_bytes_, cut_bytes_);
    if (!pwrite_all(fd_.get(), marker.data(), marker.size(), marker_offset_, written)) {
        return;
    }
    char buffer[65536];
    std::uint64_t done = 0;
    while (done < tail) {
        auto want = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buffer, tail - done));
        ssize_t got = ::pread(fd_.get(), buffer, want, static_cast<off_t>(from + done));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0 ||
            !pwrite_all(fd_.get(), buffer, static_cast<std::size_t>(got), body + done, written)) {
            return;
        }
        done += static_cast<std::uint64_t>(got);
    }
    if (::ftruncate(fd_.get(), static_cast<off_t>(body + tail)) == 0) {
        size_ = body + tail;
    }
}

}  // namespace blackbox::supervise
