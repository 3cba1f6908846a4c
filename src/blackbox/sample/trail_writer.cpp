#include <cerrno>
#include <fcntl.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/sample/trail_writer.hpp>

namespace blackbox::sample {

TrailWriter::TrailWriter(const std::filesystem::path& path) {
    if (path.empty()) {
        return;
    }
    fd_.reset(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    if (!fd_) {
        failure_ = errno;
    }
}

bool TrailWriter::append(std::string_view line) {
    std::lock_guard lock(mutex_);
    if (failure_) {
        return false;
    }
    if (!fd_) {
        return true;  // discarding
    }
    if (!base::write_all(fd_.get(), line.data(), line.size())) {
        failure_ = errno;
        fd_.reset();
        return false;
    }
    return true;
}

std::optional<int> TrailWriter::failure() const {
    std::lock_guard lock(mutex_);
    return failure_;
}

}  // namespace blackbox::sample
