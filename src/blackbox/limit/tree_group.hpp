#pragma once

// A cgroup that holds the command's whole tree and limits nothing, made for every run whose
// memory limit did not already give one, wherever the machine allows it (root, or a delegated
// cgroup v2 group). Membership is inherited by every process the command starts and cannot be
// left without privileges, so the tree is found however its processes detach (`setsid`, double
// forks): at the end of the command its leftovers are found and stopped, and if the supervisor
// dies its dead man's switch empties the group (docs/supervision.md).
//
// The order: a child group of ours in the unified (v2) hierarchy, which needs no controller;
// else one in the v1 memory hierarchy, with no limit written. The command joins it before exec
// through an optional pre-exec write: a refusal leaves it outside (followed by parentage only),
// never fails the run.

#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include <blackbox/limit/cgroup_fs.hpp>
#include <blackbox/limit/cgroup_places.hpp>
#include <blackbox/limit/owned_cgroup.hpp>
#include <blackbox/supervise/pre_exec_write.hpp>

namespace blackbox::limit {

struct TreeGroup {
    std::optional<OwnedCgroup> group;  // nullopt when none could be made
    std::vector<std::string> reasons;  // why each hierarchy tried was passed over
};

// Makes the group below our own in `places`, named blackbox-<owner>-<n> (stale groups of dead
// supervisors there are removed first). Never throws for what the cgroup file system refuses.
TreeGroup create_tree_group(std::shared_ptr<const CgroupFs> fs, const CgroupPlaces& places,
                            pid_t owner);

// The pre-exec write that moves the command into `group` (optional: refused, the command runs
// outside it).
supervise::PreExecWrite join_tree_group(const OwnedCgroup& group);

}  // namespace blackbox::limit
