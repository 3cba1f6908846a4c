#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <blackbox/base/regular_file.hpp>

namespace blackbox::base {

std::string describe_file_type(unsigned mode) {
    switch (mode & S_IFMT) {
        case S_IFREG:
            return "a regular file";
        case S_IFDIR:
            return "a directory";
        case S_IFLNK:
            return "a symbolic link";
        case S_IFIFO:
            return "a FIFO";
        case S_IFSOCK:
            return "a socket";
        case S_IFCHR:
            return "a character device";
        case S_IFBLK:
            return "a block device";
        default:
            return "of an unknown type";
    }
}

OpenedFile open_regular_file(const std::filesystem::path& path) noexcept {
    OpenedFile opened;
    try {
        // O_NONBLOCK: opening a FIFO without a writer (or a device) must not wait.
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        if (!fd) {
            int error = errno;
            opened.missing = error == ENOENT;
            opened.error = error == ELOOP ? "a symbolic link (not followed)" : std::strerror(error);
            return opened;
        }
        struct stat status {};
        if (::fstat(fd.get(), &status) != 0) {
            opened.error = std::strerror(errno);
            return opened;
        }
        if (!S_ISREG(status.st_mode)) {
            opened.error = describe_file_type(status.st_mode) + ", not a regular file";
            return opened;
        }
        int flags = ::fcntl(fd.get(), F_GETFL);
        if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
            opened.error = std::strerror(errno);
            return opened;
        }
        opened.fd = std::move(fd);
    } catch (...) {
        opened.fd.reset();  // out of memory for a message: refused without one
    }
    return opened;
}

namespace {

// Appends up to `limit` bytes read from `fd` at its offset; false on a read error.
bool read_up_to(int fd, std::string& out, std::size_t limit) {
    char buffer[65536];
    while (out.size() < limit) {
        std::size_t want = std::min(sizeof buffer, limit - out.size());
        ssize_t n = ::read(fd, buffer, want);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return false;
        }
        if (n == 0) {
            break;
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

FileText read_regular_file(const std::filesystem::path& path, std::size_t max_bytes,
                           bool keep_tail) {
    FileText result;
    OpenedFile opened = open_regular_file(path);
    if (!opened.fd) {
        result.missing = opened.missing;
        result.error = opened.error;
        return result;
    }
    int fd = opened.fd.get();
    struct stat status {};
    if (::fstat(fd, &status) != 0) {
        result.error = std::strerror(errno);
        return result;
    }
    auto size = static_cast<std::size_t>(std::max<off_t>(status.st_size, 0));
    if (size > max_bytes) {
        if (!keep_tail) {
            result.error =
                fmt::format("larger than {} bytes ({} bytes): not read", max_bytes, size);
            return result;
        }
        if (::lseek(fd, static_cast<off_t>(size - max_bytes), SEEK_SET) < 0) {
            result.error = std::strerror(errno);
            return result;
        }
        result.cut = true;
    }
    std::string text;
    // One byte more than allowed tells a file that grew since fstat.
    if (!read_up_to(fd, text, max_bytes + 1)) {
        result.error = std::strerror(errno);
        return result;
    }
    if (text.size() > max_bytes) {
        if (!keep_tail) {
            result.error = fmt::format("larger than {} bytes: not read", max_bytes);
            return result;
        }
        text.erase(0, text.size() - max_bytes);
        result.cut = true;
    }
    result.text = std::move(text);
    return result;
}

}  // namespace blackbox::base
