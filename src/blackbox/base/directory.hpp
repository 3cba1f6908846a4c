#pragma once

// A directory held open by descriptor, in which files are made without ever following a symbolic
// link: names are opened relative to the descriptor with O_NOFOLLOW, new files are created
// exclusively (O_EXCL), subdirectories are opened with O_DIRECTORY|O_NOFOLLOW, and whole files
// are replaced through a fresh temporary and rename(2). Everything the recorder writes into a
// run directory goes through one, so a link planted there (`output.log` -> /etc/passwd) is an
// error, never a write through it.

#include <fcntl.h>
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>

#include <blackbox/base/unique_fd.hpp>

namespace blackbox::base {

class Directory {
  public:
    Directory() = default;

    // Opens the directory at `path` (the path itself is followed: the caller chose it).
    // Throws blackbox::Error.
    static Directory open(const std::filesystem::path& path);

    bool valid() const noexcept { return fd_.valid(); }
    int fd() const noexcept { return fd_.get(); }
    const std::filesystem::path& path() const noexcept { return path_; }

    // Opens the subdirectory `name`, making it (mode 0755) when missing and `create` is set. A
    // symbolic link or anything but a directory there is refused. Throws blackbox::Error.
    Directory subdirectory(std::string_view name, bool create = true) const;

    // Creates `name` exclusively for writing (O_CREAT|O_EXCL|O_NOFOLLOW, plus `flags` such as
    // O_APPEND). Invalid on failure, errno set. Never throws.
    UniqueFd create_file(std::string_view name, int flags = 0, mode_t mode = 0644) const noexcept;

    // Opens `name` for appending, creating it when missing: only a regular file with a single
    // link, never through a symbolic link, never waiting on a FIFO. Invalid on failure, errno
    // set (EINVAL for a file of another type). Never throws.
    UniqueFd open_append(std::string_view name) const noexcept;

    // Writes `content` to a new temporary file here and renames it over `name`: readers see the
    // old file or the whole new one. On failure no temporary is left behind. Throws
    // blackbox::Error.
    void write_atomically(std::string_view name, std::string_view content) const;
    // The same, never throwing: 0, or the errno of the failure.
    int replace_file(std::string_view name, std::string_view content) const noexcept;

    // Removes `name` and, when it is a directory, everything in it, never following a link
    // (nested at most 32 deep). False when anything could not be removed.
    bool remove_tree(std::string_view name) const noexcept;

    // Whether the directory holds no entry besides "." and "..". Throws blackbox::Error.
    bool empty() const;

  private:
    Directory(UniqueFd fd, std::filesystem::path path)
        : fd_(std::move(fd)), path_(std::move(path)) {}

    UniqueFd fd_;
    std::filesystem::path path_;
};

// Opens `name` relative to `dir_fd` (AT_FDCWD: a path) for appending, as Directory::open_append
// does, creating it exclusively when `exclusive` is set; `extra_flags` replace O_APPEND (and may
// ask for O_RDWR instead of write-only). Invalid on failure, errno set.
UniqueFd open_for_append(int dir_fd, const char* name, bool exclusive = false,
                         int extra_flags = O_APPEND) noexcept;

}  // namespace blackbox::base
