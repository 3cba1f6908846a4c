#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

#include <blackbox/sample/proc_fs.hpp>

namespace blackbox::sample {

namespace {

// Kernel files report a size of 0 or 4096 whatever their content: read until EOF.
constexpr std::size_t kReadChunk = 4096;

// A seq_file read stops short of the request only at EOF or when its page-sized buffer is full
// (the next record would not fit): a read shorter than this is the whole file, and the read
// that would return 0 can be saved (it is half of the syscalls of a kept-open fd).
constexpr std::size_t kSurelyWhole = 2048;

struct DirCloser {
    void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};

}  // namespace

ProcFs::ProcFs(std::filesystem::path root) : root_(root.lexically_normal().string()) {
    while (!root_.empty() && root_.back() == '/') {
        root_.pop_back();
    }
}

std::string ProcFs::resolve(std::string_view path) const {
    std::string resolved = root_;
    if (path.empty() || path.front() != '/') {
        resolved += '/';
    }
    resolved += path;
    return resolved;
}

base::UniqueFd ProcFs::open(std::string_view path) const {
    return base::UniqueFd(::open(resolve(path).c_str(), O_RDONLY | O_CLOEXEC));
}

bool ProcFs::read_from(int fd, std::string& buffer) {
    buffer.clear();
    std::size_t size = 0;
    for (;;) {
        if (buffer.size() < size + kReadChunk) {
            buffer.resize(size + kReadChunk);
        }
        ssize_t n =
            ::pread(fd, buffer.data() + size, buffer.size() - size, static_cast<off_t>(size));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            buffer.clear();
            return false;
        }
        bool whole = size == 0 && static_cast<std::size_t>(n) < kSurelyWhole;
        size += static_cast<std::size_t>(n);
        if (n == 0 || whole) {
            buffer.resize(size);
            return true;
        }
    }
}

bool ProcFs::read(std::string_view path, std::string& buffer) const {
    base::UniqueFd fd = open(path);
    return fd && read_from(fd.get(), buffer);
}

std::optional<std::string> ProcFs::read(std::string_view path) const {
    std::string content;
    if (!read(path, content)) {
        return std::nullopt;
    }
    return content;
}

bool ProcFs::exists(std::string_view path) const {
    struct stat info {};
    return ::stat(resolve(path).c_str(), &info) == 0;
}

std::optional<std::vector<std::string>> ProcFs::list(std::string_view dir) const {
    std::unique_ptr<DIR, DirCloser> handle(::opendir(resolve(dir).c_str()));
    if (!handle) {
        return std::nullopt;
    }
    std::vector<std::string> names;
    errno = 0;
    while (dirent* entry = ::readdir(handle.get())) {
        std::string_view name = entry->d_name;
        if (name != "." && name != "..") {
            names.emplace_back(name);
        }
    }
    if (errno != 0) {
        return std::nullopt;
    }
    return names;
}

}  // namespace blackbox::sample
