#pragma once

// How many processes the kernel's OOM killer killed in a memory cgroup, as the cgroup counts
// them: the "oom_kill N" line of memory.oom_control (v1, since 4.13) or of memory.events (v2).
// A v1 group counts the kills of its own processes; a v2 group those of its whole subtree.

#include <cstdint>
#include <optional>
#include <string_view>

#include <blackbox/limit/cgroup_fs.hpp>
#include <blackbox/limit/cgroup_places.hpp>

namespace blackbox::limit {

// N of the "oom_kill N" line; nullopt when there is none (older kernels) or it is malformed.
std::optional<std::uint64_t> parse_oom_kill_count(std::string_view text);

// The count of the group `dir`, read now; nullopt when the file or the line is missing (the
// root of a v2 hierarchy has no memory.events, a hidden cgroup file system has nothing).
std::optional<std::uint64_t> read_oom_kill_count(const CgroupFs& fs, const CgroupDir& dir);

}  // namespace blackbox::limit
