#pragma once

// A cgroup we created for the command's tree, named blackbox-<supervisor pid>-<n>, and removed
// again however the run ends: on destruction every process still in it is SIGKILLed (by the
// pids in its cgroup.procs: processes that left the command's process group are caught too),
// the group is waited for to empty (bounded) and removed. A supervisor that was itself
// SIGKILLed cannot do that; the next one removes such groups when they are empty
// (remove_stale_groups).

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

#include <blackbox/limit/cgroup_fs.hpp>
#include <blackbox/limit/cgroup_places.hpp>

namespace blackbox::limit {

// What OwnedCgroup::remove() did.
struct Removal {
    bool removed = false;    // the directory is gone (or was never there)
    std::size_t killed = 0;  // members SIGKILLed
    int error = 0;           // errno of the last failed rmdir when not removed
};

class OwnedCgroup {
  public:
    // Creates <parent>/blackbox-<owner>-<n> with the first n not in use, after removing stale
    // groups in `parent`. Throws blackbox::Error ("cannot create the cgroup …: Permission
    // denied") when mkdir fails.
    static OwnedCgroup create(std::shared_ptr<const CgroupFs> fs, const CgroupDir& parent,
                              pid_t owner);

    OwnedCgroup(OwnedCgroup&& other) noexcept;
    OwnedCgroup& operator=(OwnedCgroup&&) = delete;
    OwnedCgroup(const OwnedCgroup&) = delete;
    OwnedCgroup& operator=(const OwnedCgroup&) = delete;
    // remove() with the default patience.
    ~OwnedCgroup();

    const CgroupDir& dir() const noexcept { return dir_; }
    const CgroupFs& fs() const noexcept { return *fs_; }
    // The path of one of its files: "<dir>/<name>".
    std::string file(std::string_view name) const;

    // The pids in its cgroup.procs (empty when it cannot be read). pids of other pid namespaces
    // read as 0 and are left out.
    std::vector<pid_t> members() const;

    // SIGKILLs every member now, never this process: cgroup.kill where the kernel has it (v2,
    // 5.14+: forks in flight are caught too), then each pid of cgroup.procs. Returns how many
    // members it found; does not wait for them to die.
    std::size_t kill_members() const noexcept;

    // SIGKILLs every member (never this process), waits for the group to be empty and rmdirs
    // it, retrying until `patience` has passed (a process in uninterruptible sleep takes its
    // time). Exited members that are still zombies do not keep a group busy. Idempotent; after
    // it the object owns nothing: a group still busy after `patience` is left to
    // remove_stale_groups() of a later supervisor. Thread-compatible.
    Removal remove(std::chrono::milliseconds patience = std::chrono::milliseconds(2000)) noexcept;

  private:
    OwnedCgroup(std::shared_ptr<const CgroupFs> fs, CgroupDir dir) noexcept
        : fs_(std::move(fs)), dir_(std::move(dir)) {}

    std::shared_ptr<const CgroupFs> fs_;
    CgroupDir dir_;  // directory empty once removed or moved from
};

// The supervisor pid in a group name of ours ("blackbox-1234-0" → 1234); nullopt for other names.
std::optional<pid_t> group_owner(std::string_view name);

// Removes the groups of `parent` named blackbox-<pid>-<n> whose pid is not a live process and
// that hold no process: left behind by a supervisor that was SIGKILLed. Groups that still hold
// processes are left alone (the dead supervisor's command may still be running). Returns the
// names removed. Never throws.
std::vector<std::string> remove_stale_groups(const CgroupFs& fs, const CgroupDir& parent,
                                             pid_t owner);

}  // namespace blackbox::limit
