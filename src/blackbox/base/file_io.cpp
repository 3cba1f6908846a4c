#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <random>
#include <unistd.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/unique_fd.hpp>

namespace blackbox::base {

std::optional<std::string> read_file(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        return std::nullopt;
    }
    std::string content;
    char buffer[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return std::nullopt;
        }
        if (n == 0) {
            return content;
        }
        content.append(buffer, static_cast<std::size_t>(n));
    }
}

bool write_all(int fd, const char* data, std::size_t size) noexcept {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    std::random_device random;
    auto temporary = path;
    temporary += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(random());
    UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) {
        throw Error(errno_message("cannot create " + temporary.string(), errno));
    }
    bool written = write_all(fd.get(), content.data(), content.size());
    int saved = errno;
    // close() may be where a full disk or a failed writeback is reported.
    if (::close(fd.release()) != 0 && written) {
        written = false;
        saved = errno;
    }
    if (!written) {
        ::unlink(temporary.c_str());
        throw Error(errno_message("cannot write " + path.string(), saved));
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        saved = errno;
        ::unlink(temporary.c_str());
        throw Error(errno_message("cannot rename to " + path.string(), saved));
    }
}

}  // namespace blackbox::base
