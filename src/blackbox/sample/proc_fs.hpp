#pragma once

// The seam between the sampler and the kernel's files: /proc and the cgroup file system are read
// through a ProcFs rooted at "/" on the real machine and at a recorded tree
// (tests/unit/data/sample/<scenario>/) in tests, so every parser and the tree walk run on recorded
// inputs.
//
// Every read may fail (a process that vanished, a file hidden on Android, no such kernel
// feature): failures are false or nullopt, never exceptions. Paths are absolute as on the real
// machine ("/proc/42/statm"); the root is prefixed. A ProcFs is immutable: safe to share between
// threads.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/base/unique_fd.hpp>

namespace blackbox::sample {

class ProcFs {
  public:
    // `root` "/" reads the real machine.
    explicit ProcFs(std::filesystem::path root = "/");

    // Replaces `buffer` with the whole content of the file; false (buffer unspecified) when it
    // cannot be opened or read. Reuses the buffer's capacity.
    bool read(std::string_view path, std::string& buffer) const;

    // The whole content of the file, or nullopt.
    std::optional<std::string> read(std::string_view path) const;

    // Whether the path exists (file or directory), without reading it.
    bool exists(std::string_view path) const;

    // The names in a directory (without "." and ".."), unsorted; nullopt when it cannot be listed.
    std::optional<std::vector<std::string>> list(std::string_view dir) const;

    // The file opened read-only and close-on-exec, for reading again with read_from(); an invalid
    // fd when it cannot be opened (errno set).
    base::UniqueFd open(std::string_view path) const;

    // The path on this machine's file system for a path of the emulated one.
    std::string resolve(std::string_view path) const;

    // Replaces `buffer` with the content of an fd from open(), read from offset 0 (pread: the
    // file offset is untouched, so the fd can be kept open and read again every sample). False
    // on error (errno set: ESRCH once the process behind a /proc/<pid> file has been reaped).
    static bool read_from(int fd, std::string& buffer);

  private:
    std::string root_;  // "" for "/", else the prefix without a trailing '/'
};

}  // namespace blackbox::sample
