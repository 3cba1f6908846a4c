#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/directory.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/live/supervisor_log.hpp>

namespace blackbox::live {

SupervisorLog::SupervisorLog(const std::filesystem::path& path)
    : fd_(base::open_for_append(AT_FDCWD, path.c_str())) {
    struct stat info {};
    if (fd_ && ::fstat(fd_.get(), &info) == 0) {
        // Best effort: a filesystem without fallocate just has no room kept.
        (void)::fallocate(fd_.get(), FALLOC_FL_KEEP_SIZE, info.st_size, static_cast<off_t>(kRoom));
    }
}

void SupervisorLog::write(const std::string& ev, nlohmann::json record) {
    if (!fd_) {
        return;
    }
    nlohmann::json line = {{"ev", ev}, {"ns", base::monotonic_ns()}};
    line.update(record);
    auto text = base::json_text(line) + "\n";
    if (write_held_back() && append(text)) {
        return;
    }
    if (!first_failure_) {
        first_failure_ = base::WriteLoss{base::monotonic_ns(), errno, 0};
    }
    if (held_back_bytes_ + text.size() > kMaxHeldBack) {
        ++dropped_;
        return;
    }
    held_back_bytes_ += text.size();
    held_back_.push_back(std::move(text));
}

std::optional<base::WriteLoss> SupervisorLog::loss() const {
    if (!first_failure_ || (held_back_.empty() && dropped_ == 0)) {
        return std::nullopt;
    }
    auto loss = *first_failure_;
    loss.amount = held_back_.size() + dropped_;
    return loss;
}

bool SupervisorLog::write_held_back() {
    while (!held_back_.empty()) {
        if (!append(held_back_.front())) {
            return false;
        }
        held_back_bytes_ -= held_back_.front().size();
        held_back_.pop_front();
    }
    return true;
}

bool SupervisorLog::append(const std::string& line) {
    struct stat before {};
    if (::fstat(fd_.get(), &before) != 0) {
        return false;
    }
    if (base::write_all(fd_.get(), line.data(), line.size())) {
        return true;
    }
    int error = errno;
    (void)::ftruncate(fd_.get(), before.st_size);
    errno = error;
    return false;
}

}  // namespace blackbox::live
