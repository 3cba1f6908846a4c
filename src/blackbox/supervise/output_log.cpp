#include <cerrno>
#include <fcntl.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/supervise/output_log.hpp>

namespace blackbox::supervise {

OutputLog::OutputLog(const std::filesystem::path& path) noexcept {
    if (path.empty()) {
        return;
    }
    fd_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644));
    if (!fd_) {
        error_ = errno;
    }
}

void OutputLog::write(const char* data, std::size_t size) noexcept {
    if (!fd_ || error_) {
        return;
    }
    if (!base::write_all(fd_.get(), data, size)) {
        error_ = errno;
        fd_.reset();
    }
}

}  // namespace blackbox::supervise
