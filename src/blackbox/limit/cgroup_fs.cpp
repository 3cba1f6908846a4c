#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/limit/cgroup_fs.hpp>

namespace blackbox::limit {

namespace {

struct DirCloser {
    void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};

}  // namespace

CgroupFs::CgroupFs(std::filesystem::path root) : root_(root.lexically_normal().string()) {
    while (!root_.empty() && root_.back() == '/') {
        root_.pop_back();
    }
}

std::string CgroupFs::resolve(std::string_view path) const {
    std::string resolved = root_;
    if (path.empty() || path.front() != '/') {
        resolved += '/';
    }
    resolved += path;
    return resolved;
}

std::optional<std::string> CgroupFs::read(std::string_view path) const {
    return base::read_file(resolve(path));
}

int CgroupFs::write(std::string_view path, std::string_view bytes) const {
    base::UniqueFd fd(::open(resolve(path).c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) {
        return errno;
    }
    // Control files take one value per write(): no retry of a short write, which they never do.
    for (;;) {
        ssize_t n = ::write(fd.get(), bytes.data(), bytes.size());
        if (n >= 0) {
            return static_cast<std::size_t>(n) == bytes.size() ? 0 : EIO;
        }
        if (errno != EINTR) {
            return errno;
        }
    }
}

int CgroupFs::make_directory(std::string_view path) const {
    return ::mkdir(resolve(path).c_str(), 0755) == 0 ? 0 : errno;
}

int CgroupFs::remove_directory(std::string_view path) const {
    return ::rmdir(resolve(path).c_str()) == 0 ? 0 : errno;
}

bool CgroupFs::exists(std::string_view path) const {
    struct stat info {};
    return ::stat(resolve(path).c_str(), &info) == 0;
}

std::optional<std::vector<std::string>> CgroupFs::subdirectories(std::string_view dir) const {
    std::unique_ptr<DIR, DirCloser> handle(::opendir(resolve(dir).c_str()));
    if (!handle) {
        return std::nullopt;
    }
    std::vector<std::string> names;
    while (const dirent* entry = ::readdir(handle.get())) {
        std::string_view name = entry->d_name;
        if (name == "." || name == "..") {
            continue;
        }
        struct stat info {};
        const bool directory =
            entry->d_type == DT_DIR ||
            (entry->d_type == DT_UNKNOWN &&
             ::fstatat(::dirfd(handle.get()), entry->d_name, &info, AT_SYMLINK_NOFOLLOW) == 0 &&
             S_ISDIR(info.st_mode));
        if (!directory) {
            continue;
        }
        names.emplace_back(name);
    }
    return names;
}

}  // namespace blackbox::limit
