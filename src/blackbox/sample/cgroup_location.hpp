#pragma once

// Where a process's memory cgroups are: from /proc/<pid>/cgroup (which cgroup, per hierarchy) and
// /proc/self/mountinfo (where that hierarchy is mounted here). Two hierarchies can account
// memory: a cgroup v1 one with the "memory" controller, and the unified v2 one ("0::/path" on a
// cgroup2 mount). The sampler wants the one that accounts the memory (v1 is preferred, since on a
// hybrid system the unified hierarchy holds no memory controller); the memory limit
// (limit/cgroup_places.hpp) wants both, to choose where it can make a group.

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

// A process's group in each hierarchy that can account memory.
struct CgroupLocations {
    std::optional<CgroupLocation> v1_memory;  // in the v1 hierarchy with "memory"
    std::optional<CgroupLocation> v2;         // in the unified hierarchy ("0::/…")
    bool operator==(const CgroupLocations&) const = default;
};

// Both groups described by `proc_cgroup` (the text of /proc/<pid>/cgroup), each in a mount of
// `mountinfo` (of several mounts of its hierarchy, the one with the longest root that contains
// it). A hierarchy is left out when the process is not in it (or only by a relative path) or it
// is not mounted here under a root that contains the group (a mount of another namespace's
// subtree). Never fails.
CgroupLocations locate_cgroups(std::string_view proc_cgroup, std::string_view mountinfo);

// The group that accounts the memory: the v1 one of locate_cgroups when there is one, else the
// v2 one; nullopt when neither is located. Never fails.
std::optional<CgroupLocation> locate_memory_cgroup(std::string_view proc_cgroup,
                                                   std::string_view mountinfo);

// The same for a live process, from /proc/<pid>/cgroup and /proc/self/mountinfo; nullopt when
// either cannot be read (a hidden cgroup file on Android, no cgroup file system).
std::optional<CgroupLocation> find_memory_cgroup(const ProcFs& fs, pid_t pid);

}  // namespace blackbox::sample
