#pragma once

// The seam between the memory-limit code and the cgroup file system. Paths are absolute as on
// the machine ("/sys/fs/cgroup/memory/x/memory.limit_in_bytes", "/proc/self/cgroup"); a CgroupFs
// prefixes them with its root: "/" on the machine, a temporary directory holding a fake tree in
// tests. Tests derive from it to act as the kernel would (a new group's control files appear on
// mkdir, a write is refused).
//
// Nothing here throws: failures are an errno value or nullopt. Immutable and safe to share
// between threads.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blackbox::limit {

class CgroupFs {
  public:
    // `root` "/" is the machine itself.
    explicit CgroupFs(std::filesystem::path root = "/");
    virtual ~CgroupFs() = default;
    CgroupFs(const CgroupFs&) = delete;
    CgroupFs& operator=(const CgroupFs&) = delete;

    // The path on this machine for a path of the emulated one (what another process, or the
    // child between fork and exec, must open).
    std::string resolve(std::string_view path) const;

    // The whole content of a file, or nullopt when it cannot be read.
    virtual std::optional<std::string> read(std::string_view path) const;

    // Writes `bytes` to an existing file (no O_CREAT, as control files cannot be created) in one
    // write, as the kernel wants for control files. 0, or the errno of the failure.
    virtual int write(std::string_view path, std::string_view bytes) const;

    // mkdir (mode 0755); 0 or errno (EEXIST when it exists).
    virtual int make_directory(std::string_view path) const;

    // rmdir; 0 or errno (EBUSY while a cgroup still holds processes).
    virtual int remove_directory(std::string_view path) const;

    // Whether the path exists.
    virtual bool exists(std::string_view path) const;

    // The names of the subdirectories of `dir`, unsorted; nullopt when it cannot be listed.
    virtual std::optional<std::vector<std::string>> subdirectories(std::string_view dir) const;

  private:
    std::string root_;  // "" for "/", else the prefix without a trailing '/'
};

}  // namespace blackbox::limit
