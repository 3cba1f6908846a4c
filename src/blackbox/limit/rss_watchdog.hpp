#pragma once

// The memory limit where no cgroup can be had (no delegation, no root, Android): the sampler
// reports the tree's total resident memory, and when it reaches the limit the whole tree is
// SIGKILLed — the command's process group and every process whose memory the sample counted,
// so processes that left the group (`setsid`) go too — and that is recorded (the cause
// "memory_limit" of the post-mortem). Coarser than a cgroup: a climb between two samples is seen
// late, and memory that is not resident (swap) is not counted.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <sys/types.h>
#include <vector>

#include <blackbox/limit/threshold_crossing.hpp>

namespace blackbox::limit {

// SIGKILL to `process_group` (> 0) and to every pid of `tree`; true when one reached a process.
bool kill_tree(pid_t process_group, const std::vector<pid_t>& tree) noexcept;

// The watchdog's kill, as recorded.
struct WatchdogKill {
    std::int64_t ns = 0;          // CLOCK_MONOTONIC of the sample that reached the limit
    std::uint64_t rss_bytes = 0;  // the tree's resident memory in that sample
    std::uint64_t limit_bytes = 0;
    pid_t process_group = 0;  // the group killed
    bool delivered = false;   // kill() reached at least one process
    bool operator==(const WatchdogKill&) const = default;
};

class RssWatchdog {
  public:
    // Sends SIGKILL to a process group and to the pids of the sampled tree; true when it reached
    // a process. Replaced in tests, and by the caller to reach a cgroup as well.
    using Killer = std::function<bool(pid_t process_group, const std::vector<pid_t>& tree)>;

    // `threshold` 0 or `on_threshold` empty: no threshold calls. An empty `killer` sends a real
    // SIGKILL to the group and to each pid of the tree (kill_tree).
    RssWatchdog(std::uint64_t limit, std::uint64_t threshold, ThresholdCallback on_threshold,
                Killer killer = {});

    // The group to kill (the command's pid), set once it runs; forgets an earlier kill, for a
    // restarted command. Thread-safe.
    void attach(pid_t process_group);

    // One sample of the tree (on the sampler's thread): a rise to the threshold calls
    // on_threshold on this thread; reaching the limit kills the attached group and `tree` (the
    // pids the sample counted), once per attach. Samples before attach() only feed the
    // threshold.
    void on_sample(std::int64_t ns, std::uint64_t tree_rss_bytes,
                   const std::vector<pid_t>& tree = {});

    // The kill, once it happened. Thread-safe.
    std::optional<WatchdogKill> kill() const;

  private:
    const std::uint64_t limit_;
    ThresholdCallback on_threshold_;
    Killer killer_;
    mutable std::mutex mutex_;
    CrossingDetector crossing_;         // guarded by mutex_
    pid_t group_ = 0;                   // guarded by mutex_
    std::optional<WatchdogKill> kill_;  // guarded by mutex_
};

}  // namespace blackbox::limit
