#pragma once

// A memory limit for the command's whole process tree, by the best mechanism this machine
// offers, in this order:
//  1. cgroup v2, when the memory controller is delegated to the group we run in: a child group
//     with memory.max, memory.swap.max = 0 and memory.oom.group = 1;
//  2. cgroup v1, when its memory hierarchy is writable (root): a child group of ours with
//     memory.limit_in_bytes and memory.memsw.limit_in_bytes;
//  3. a user-space watchdog on the sampler's figures, which SIGKILLs the command's process group
//     and every process the sample counted (those that left the group too).
// A mechanism that cannot be set up is passed over, never fatal; reasons() says why. The command
// joins the group before exec (pre_exec_writes()); the group is emptied and removed when the
// MemoryLimit goes, however the run ended. Optionally, a callback when usage reaches a fraction
// of the limit, so the test's stack can be dumped before the kill. docs/memory-limits.md.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include <blackbox/limit/cgroup_fs.hpp>
#include <blackbox/limit/cgroup_places.hpp>
#include <blackbox/limit/cgroup_setup.hpp>
#include <blackbox/limit/owned_cgroup.hpp>
#include <blackbox/limit/rss_watchdog.hpp>
#include <blackbox/limit/threshold_crossing.hpp>
#include <blackbox/limit/threshold_notifier.hpp>
#include <blackbox/supervise/pre_exec_write.hpp>

namespace blackbox::limit {

enum class LimitKind { cgroup_v2, cgroup_v1, watchdog };

// "cgroup v2", "cgroup v1", "watchdog".
std::string_view kind_name(LimitKind kind);

struct LimitOptions {
    std::uint64_t bytes = 0;  // the limit of the whole tree; more than 0
    double threshold_fraction =
        0.9;  // on_threshold at this fraction of `bytes`; outside (0, 1): off
    ThresholdCallback on_threshold;  // empty: no threshold notification
    bool use_cgroups = true;         // false: the watchdog, whatever the machine offers
    // cgroup v2: announce the threshold through memory.high (the tree is throttled above it until
    // the event is noticed, see threshold_notifier.hpp); false: from the samples.
    bool v2_memory_high = true;
    // How the watchdog kills the tree; empty: kill_tree (the group and the sampled pids).
    RssWatchdog::Killer killer;
};

class MemoryLimit {
  public:
    // Sets the limit up on this machine for the commands this process will start. Throws
    // blackbox::Error only for options that make no sense (a limit of 0 bytes).
    explicit MemoryLimit(const LimitOptions& options);
    // The same through `fs` (a fake tree in tests) with groups named after `owner`.
    MemoryLimit(const LimitOptions& options, std::shared_ptr<const CgroupFs> fs, pid_t owner);
    // release().
    ~MemoryLimit();
    MemoryLimit(const MemoryLimit&) = delete;
    MemoryLimit& operator=(const MemoryLimit&) = delete;

    LimitKind kind() const noexcept { return kind_; }
    // The limit in force, in bytes (the kernel rounds a cgroup's down to whole pages).
    std::uint64_t bytes() const noexcept { return bytes_; }
    // One sentence per mechanism considered, in order: why each one before the chosen one was
    // passed over, then the chosen one and what it could not do (swap, notification).
    const std::vector<std::string>& reasons() const noexcept { return reasons_; }
    // One line for the user: "64 MiB, enforced by cgroup v1 (group /sys/fs/…/blackbox-12-0)".
    std::string describe() const;

    // What the command must run between fork and exec to be under the limit: joining the group
    // (required). Empty for the watchdog and after release().
    std::vector<supervise::PreExecWrite> pre_exec_writes() const;
    // The group (for the sampler's usage figures and OomWatch); nullopt for the watchdog and
    // after release().
    std::optional<CgroupDir> group() const;
    // The dump threshold in bytes (threshold_fraction of bytes()); 0 when there is none.
    std::uint64_t threshold_bytes() const noexcept { return threshold_; }
    // How a rise to the threshold is noticed: "cgroup v1 usage threshold", "cgroup v2
    // memory.high", "samples", or "" when there is no threshold.
    std::string_view threshold_source() const noexcept { return threshold_source_; }

    // The command's process group, once it runs (the watchdog kills it). Thread-safe.
    void attach(pid_t process_group);
    // One sample of the tree's resident memory and its pids, on the sampler's thread: the
    // watchdog's limit (it kills the group and those pids), and the threshold when no kernel
    // notification is armed. Cheap; thread-safe.
    void on_sample(std::int64_t ns, std::uint64_t tree_rss_bytes,
                   const std::vector<pid_t>& tree = {});
    // The watchdog's kill, once it happened (never for a cgroup: see oom_kills()).
    std::optional<WatchdogKill> watchdog_kill() const;
    // The kernel's OOM kills in the group so far (a cgroup limit enforced); nullopt for the
    // watchdog, when the kernel does not count them, and after release(): read it first.
    std::optional<std::uint64_t> oom_kills() const;

    // Stops the notifications, SIGKILLs whatever is still in the group, waits for it to empty
    // (bounded) and removes it. Idempotent. The watchdog has nothing to remove.
    Removal release() noexcept;

  private:
    void try_cgroups(const CgroupFs& fs, pid_t owner);
    void arm_threshold(std::uint64_t threshold);

    LimitOptions options_;
    std::shared_ptr<const CgroupFs> fs_;
    LimitKind kind_ = LimitKind::watchdog;
    std::uint64_t bytes_ = 0;
    std::uint64_t threshold_ = 0;
    std::vector<std::string> reasons_;
    std::string threshold_source_;
    std::string directory_;                        // of the group, kept for describe()
    std::optional<ConfiguredGroup> configured_;    // reset by release()
    std::unique_ptr<ThresholdNotifier> notifier_;  // stopped before the group is removed
    std::unique_ptr<RssWatchdog> watchdog_;        // the limit, or the threshold from samples
};

}  // namespace blackbox::limit
