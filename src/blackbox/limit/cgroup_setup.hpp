#pragma once

// Making a memory cgroup for the command's tree, cgroup v2 or v1: create a child group of the
// one we run in, limit it, keep the limit from being escaped into swap, and say what could not
// be done. The child joins it before exec (a PreExecWrite to its cgroup.procs, see
// memory_limit.hpp). docs/memory-limits.md tells the whole story.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include <blackbox/limit/cgroup_fs.hpp>
#include <blackbox/limit/cgroup_places.hpp>
#include <blackbox/limit/owned_cgroup.hpp>

namespace blackbox::limit {

// "+memory" written by us to a parent's cgroup.subtree_control, taken back ("-memory") on
// destruction when the parent has no child group left (ours is removed first). Move-only.
class ControllerGrant {
  public:
    ControllerGrant() = default;
    ControllerGrant(std::shared_ptr<const CgroupFs> fs, std::string parent) noexcept
        : fs_(std::move(fs)), parent_(std::move(parent)) {}
    ControllerGrant(ControllerGrant&& other) noexcept
        : fs_(std::move(other.fs_)), parent_(std::exchange(other.parent_, {})) {}
    ControllerGrant& operator=(ControllerGrant&&) = delete;
    ~ControllerGrant();

  private:
    std::shared_ptr<const CgroupFs> fs_;
    std::string parent_;  // empty: nothing to take back
};

// A group made and limited. Members are destroyed in reverse order: the group is removed before
// the controller grant is taken back.
struct ConfiguredGroup {
    ControllerGrant grant;
    OwnedCgroup group;
    std::uint64_t limit_bytes = 0;   // as the kernel holds it (rounded down to whole pages)
    bool swap_limited = false;       // the limit covers swap too (or the group cannot swap)
    std::vector<std::string> notes;  // what could not be set, and what that means
};

// cgroup v1: <parent>/blackbox-<owner>-<n> with memory.limit_in_bytes = `bytes` and, when the
// kernel accounts swap, memory.memsw.limit_in_bytes = `bytes` too; without swap accounting
// memory.swappiness = 0 keeps the group's pages out of swap. Throws blackbox::Error with a
// sentence when the group cannot be made or limited (nothing is left behind then).
ConfiguredGroup create_v1_group(std::shared_ptr<const CgroupFs> fs, const CgroupDir& parent,
                                std::uint64_t bytes, pid_t owner);

// cgroup v2: requires "memory" in <parent>/cgroup.controllers; enables it in the parent's
// cgroup.subtree_control when needed (refused with EBUSY when processes live in the parent
// itself: the no-internal-processes rule). Then <parent>/blackbox-<owner>-<n> with memory.max =
// `bytes`, memory.swap.max = 0 when present, memory.oom.group = 1 (an OOM kill takes the whole
// tree, as a v1 limit kill of pytest would leave its workers orphaned). Throws blackbox::Error
// with a sentence when any required step fails (nothing is left behind then).
ConfiguredGroup create_v2_group(std::shared_ptr<const CgroupFs> fs, const CgroupDir& parent,
                                std::uint64_t bytes, pid_t owner);

}  // namespace blackbox::limit
