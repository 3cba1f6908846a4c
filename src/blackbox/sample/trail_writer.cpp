#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/directory.hpp>
#include <blackbox/sample/trail_format.hpp>
#include <blackbox/sample/trail_writer.hpp>

namespace blackbox::sample {

TrailWriter::TrailWriter(const std::filesystem::path& path) {
    if (path.empty()) {
        return;
    }
    fd_ = base::open_for_append(AT_FDCWD, path.c_str());
    if (fd_) {
        opened_ = true;
    } else {
        failure_ = errno;
    }
}

void TrailWriter::lose_locked(int error) {
    if (!failure_) {
        failure_ = error;
    }
    if (!loss_) {
        loss_ = base::WriteLoss{base::monotonic_ns(), error, 0};
    }
    ++loss_->amount;
    ++unreported_;
}

// A line that failed: lost, unless a short write left its end to be completed later.
void TrailWriter::fail_locked(int error) {
    if (remainder_.empty()) {
        lose_locked(error);
    } else if (!failure_) {
        failure_ = error;
    }
}

// Writes `line` whole, or not at all: what a short write put in is taken back (this process is
// the file's only writer), and only when that fails is the rest kept in remainder_ to complete
// the line later. False with errno set when the line is not in the file.
bool TrailWriter::write_locked(std::string_view line) {
    std::size_t written = 0;
    while (written < line.size()) {
        ssize_t n = ::write(fd_.get(), line.data() + written, line.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            int error = n == 0 ? ENOSPC : errno;
            struct stat status {};
            if (written > 0 &&
                (::fstat(fd_.get(), &status) != 0 ||
                 ::ftruncate(fd_.get(), status.st_size - static_cast<off_t>(written)) != 0)) {
                remainder_.assign(line.substr(written));
            }
            errno = error;
            return false;
        }
        written += static_cast<std::size_t>(n);
    }
    return true;
}

bool TrailWriter::append(std::string_view line) {
    std::lock_guard lock(mutex_);
    if (!fd_) {
        if (opened_ || failure_) {
            lose_locked(failure_.value_or(EBADF));
            return false;
        }
        return true;  // discarding
    }
    if (!remainder_.empty()) {
        std::string rest = std::move(remainder_);
        remainder_.clear();
        if (!write_locked(rest)) {
            if (remainder_.empty()) {
                remainder_ = std::move(rest);
            }
            lose_locked(errno);
            return false;
        }
    }
    if (unreported_ != 0) {
        auto note = encode_line(
            Note{base::monotonic_ns(), "lost",
                 fmt::format("{} lines of the trail could not be written from ns {}: {}",
                             unreported_, loss_->since_ns, std::strerror(loss_->error)),
                 std::nullopt});
        if (!write_locked(note)) {
            lose_locked(errno);  // the line is dropped (a torn note is completed first)
            return false;
        }
        unreported_ = 0;
    }
    if (!write_locked(line)) {
        fail_locked(errno);
        return false;
    }
    return true;
}

std::optional<int> TrailWriter::failure() const {
    std::lock_guard lock(mutex_);
    return failure_;
}

std::optional<base::WriteLoss> TrailWriter::loss() const {
    std::lock_guard lock(mutex_);
    return loss_;
}

}  // namespace blackbox::sample
