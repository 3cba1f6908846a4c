#pragma once

// Where our own memory cgroups are: the v1 hierarchy that holds the "memory" controller and the
// unified (v2) hierarchy, found by the sampler's parser of /proc/self/cgroup and
// /proc/self/mountinfo (sample/cgroup_location.hpp). Unlike the sampler, which wants the one
// group that accounts our memory, the limit needs both: which of them can take a new group is
// decided later (memory_limit.hpp).

#include <optional>
#include <string>

#include <blackbox/limit/cgroup_fs.hpp>

namespace blackbox::limit {

// A cgroup directory and the version of its hierarchy.
struct CgroupDir {
    int version = 2;        // 1 or 2
    std::string directory;  // on the machine: "/sys/fs/cgroup/memory/process_api/x"
    bool operator==(const CgroupDir&) const = default;
};

struct CgroupPlaces {
    std::optional<CgroupDir> v1_memory;  // our group in the v1 hierarchy with "memory"
    std::optional<CgroupDir> v2;         // our group in the unified hierarchy ("0::/…")
    bool operator==(const CgroupPlaces&) const = default;
};

// The group that accounts this process's memory: the v1 one when there is one (on a hybrid
// system the unified hierarchy holds no memory controller), else the v2 one.
std::optional<CgroupDir> memory_cgroup(const CgroupPlaces& places);

// Our groups, from /proc/self/cgroup and /proc/self/mountinfo read through `fs`; a hierarchy is
// left out as sample::locate_cgroups says; empty when the files cannot be read. Never fails.
CgroupPlaces find_cgroups(const CgroupFs& fs);

}  // namespace blackbox::limit
