#pragma once

// Where a process's memory cgroup is: from /proc/<pid>/cgroup (which cgroup, per hierarchy) and
// /proc/self/mountinfo (where that hierarchy is mounted here). cgroup v1 (a hierarchy with the
// "memory" controller) is preferred over v2 ("0::/path" on a cgroup2 mount), since on a hybrid
// system the unified v2 hierarchy holds no memory controller.

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

#include <blackbox/sample/proc_fs.hpp>

namespace blackbox::sample {

struct CgroupLocation {
    int version = 2;        // 1 or 2
    std::string path;       // in the cgroup hierarchy: "/user.slice/…/pytest.scope"
    std::string directory;  // its directory in the file system: "/sys/fs/cgroup/user.slice/…"
    bool operator==(const CgroupLocation&) const = default;
};

// The memory cgroup described by `proc_cgroup` (the text of /proc/<pid>/cgroup), in a mount of
// `mountinfo`; nullopt when the process has none or its hierarchy is not mounted here (or not
// under the path the cgroup has: a mount of another namespace's subtree). Never fails.
std::optional<CgroupLocation> locate_memory_cgroup(std::string_view proc_cgroup,
                                                   std::string_view mountinfo);

// The same for a live process, from /proc/<pid>/cgroup and /proc/self/mountinfo; nullopt when
// either cannot be read (a hidden cgroup file on Android, no cgroup file system).
std::optional<CgroupLocation> find_memory_cgroup(const ProcFs& fs, pid_t pid);

}  // namespace blackbox::sample
