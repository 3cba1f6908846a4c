#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <random>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <blackbox/base/directory.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/regular_file.hpp>

namespace blackbox::base {

namespace {

constexpr int kMaxDepth = 32;

// The entries of the directory open as `fd` (a duplicate is read, `fd` stays as it is).
template <typename OnEntry>
bool for_each_entry(int fd, OnEntry&& on_entry) {
    int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0) {
        return false;
    }
    DIR* stream = ::fdopendir(copy);
    if (stream == nullptr) {
        ::close(copy);
        return false;
    }
    ::rewinddir(stream);
    bool ok = true;
    for (;;) {
        errno = 0;
        dirent* entry = ::readdir(stream);
        if (entry == nullptr) {
            ok = errno == 0;
            break;
        }
        std::string_view name = entry->d_name;
        if (name == "." || name == "..") {
            continue;
        }
        if (!on_entry(std::string(name))) {
            break;
        }
    }
    ::closedir(stream);
    return ok;
}

bool remove_entry(int dir_fd, const std::string& name, int depth) noexcept {
    struct stat status {};
    if (::fstatat(dir_fd, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) {
        return errno == ENOENT;
    }
    if (!S_ISDIR(status.st_mode)) {
        return ::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT;
    }
    if (depth >= kMaxDepth) {
        return false;
    }
    UniqueFd child(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!child) {
        return false;
    }
    bool ok = true;
    try {
        std::vector<std::string> names;
        ok = for_each_entry(child.get(), [&](std::string entry) {
            names.push_back(std::move(entry));
            return true;
        });
        for (const auto& entry : names) {
            ok = remove_entry(child.get(), entry, depth + 1) && ok;
        }
    } catch (...) {
        return false;
    }
    child.reset();
    return ::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) == 0 && ok;
}

}  // namespace

UniqueFd open_for_append(int dir_fd, const char* name, bool exclusive, int extra_flags) noexcept {
    // Write-only unless `extra_flags` names an access mode (O_RDWR).
    int access = (extra_flags & O_ACCMODE) != 0 ? 0 : O_WRONLY;
    int flags = access | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | extra_flags;
    if (exclusive) {
        flags |= O_EXCL;
    }
    UniqueFd fd(::openat(dir_fd, name, flags, 0644));
    if (!fd) {
        return fd;
    }
    struct stat status {};
    if (::fstat(fd.get(), &status) != 0) {
        return {};
    }
    // A hard link planted in the directory would lead the writes elsewhere just as well.
    if (!S_ISREG(status.st_mode) || status.st_nlink > 1) {
        errno = EINVAL;
        return {};
    }
    int current = ::fcntl(fd.get(), F_GETFL);
    if (current < 0 || ::fcntl(fd.get(), F_SETFL, current & ~O_NONBLOCK) != 0) {
        return {};
    }
    return fd;
}

Directory Directory::open(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        throw Error(errno_message("cannot open the directory " + path.string(), errno));
    }
    return Directory(std::move(fd), path);
}

Directory Directory::subdirectory(std::string_view name, bool create) const {
    std::string entry(name);
    auto path = path_ / entry;
    if (create && ::mkdirat(fd_.get(), entry.c_str(), 0755) != 0 && errno != EEXIST) {
        throw Error(errno_message("cannot create the directory " + path.string(), errno));
    }
    UniqueFd fd(
        ::openat(fd_.get(), entry.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        int error = errno;
        struct stat status {};
        if (::fstatat(fd_.get(), entry.c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0 &&
            !S_ISDIR(status.st_mode)) {
            throw Error(fmt::format("{} is {}, not a directory: refused", path.string(),
                                    describe_file_type(status.st_mode)));
        }
        throw Error(errno_message("cannot open the directory " + path.string(), error));
    }
    return Directory(std::move(fd), path);
}

UniqueFd Directory::create_file(std::string_view name, int flags, mode_t mode) const noexcept {
    try {
        std::string entry(name);
        return UniqueFd(::openat(fd_.get(), entry.c_str(),
                                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | flags,
                                 mode));
    } catch (...) {
        errno = ENOMEM;
        return {};
    }
}

UniqueFd Directory::open_append(std::string_view name) const noexcept {
    try {
        return open_for_append(fd_.get(), std::string(name).c_str());
    } catch (...) {
        errno = ENOMEM;
        return {};
    }
}

int Directory::replace_file(std::string_view name, std::string_view content) const noexcept {
    try {
        std::random_device random;
        std::string entry(name);
        std::string temporary =
            fmt::format(".{}.tmp.{}.{:08x}", entry, ::getpid(), static_cast<unsigned>(random()));
        UniqueFd fd = create_file(temporary);
        if (!fd) {
            return errno;
        }
        bool written = write_all(fd.get(), content.data(), content.size());
        int saved = errno;
        // close() may be where a full disk or a failed writeback is reported.
        if (::close(fd.release()) != 0 && written) {
            written = false;
            saved = errno;
        }
        if (written && ::renameat(fd_.get(), temporary.c_str(), fd_.get(), entry.c_str()) == 0) {
            return 0;
        }
        if (written) {
            saved = errno;
        }
        ::unlinkat(fd_.get(), temporary.c_str(), 0);
        return saved != 0 ? saved : EIO;
    } catch (...) {
        return ENOMEM;
    }
}

void Directory::write_atomically(std::string_view name, std::string_view content) const {
    if (int error = replace_file(name, content); error != 0) {
        throw Error(errno_message("cannot write " + (path_ / std::string(name)).string(), error));
    }
}

bool Directory::remove_tree(std::string_view name) const noexcept {
    try {
        return remove_entry(fd_.get(), std::string(name), 0);
    } catch (...) {
        return false;
    }
}

bool Directory::empty() const {
    bool found = false;
    if (!for_each_entry(fd_.get(), [&](const std::string&) {
            found = true;
            return false;
        })) {
        throw Error(errno_message("cannot read the directory " + path_.string(), errno));
    }
    return !found;
}

}  // namespace blackbox::base
