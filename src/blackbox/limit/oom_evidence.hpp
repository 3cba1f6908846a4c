#pragma once

// Was a death the kernel's OOM killer? Two witnesses, read around the run: the kernel log (from
// its end at the start, so only new records count) and a memory cgroup's oom_kill counter
// (before and after). Used with a limit (the limit's own group) and without one (the cgroup we
// run in), after the command died of SIGKILL.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include <blackbox/limit/cgroup_fs.hpp>
#include <blackbox/limit/cgroup_places.hpp>
#include <blackbox/limit/kernel_log.hpp>
#include <blackbox/limit/oom_report.hpp>

namespace blackbox::limit {

struct OomVerdict {
    bool oom = false;
    // One sentence: "the kernel log says: Out of memory: Killed process 1234 (python3) …", "the
    // cgroup's oom_kill counter rose from 0 to 1", or why it was not the OOM killer.
    std::string evidence;
    std::optional<pid_t> pid;  // the killed process the kernel named, when it did
};

// What the witnesses saw between the start and now.
struct OomObservation {
    bool log_readable = false;
    std::string log_problem;     // why the log could not be read
    std::vector<OomKill> kills;  // reported in the log since the start
    std::optional<std::uint64_t> count_before;
    std::optional<std::uint64_t> count_after;
};

// Whether one of `pids` (empty: any process) was killed by the OOM killer according to `seen`:
// a kill of one of them in the log; else, when the log shows no kill at all (or cannot be
// read), a rise of the counter. Kills of other processes only are not ours.
OomVerdict judge_oom(const OomObservation& seen, const std::vector<pid_t>& pids);

class OomWatch {
  public:
    // Starts watching: the kernel log from its end, and the counter of `counted` (a limit's
    // group, or the cgroup we run in; nullopt: no counter) as it is now. Never throws but
    // allocation.
    OomWatch(std::shared_ptr<const CgroupFs> fs, std::optional<CgroupDir> counted,
             const std::filesystem::path& kernel_log = "/dev/kmsg");

    // What was seen since the start (the log's kills accumulate over calls). When the counter
    // rose but the log shows no kill yet, waits up to `settle` for it: the kernel logs a kill
    // right after sending the SIGKILL. Not thread-safe.
    OomObservation observe(std::chrono::milliseconds settle = std::chrono::milliseconds(200));

  private:
    std::shared_ptr<const CgroupFs> fs_;
    std::optional<CgroupDir> counted_;
    KernelLog log_;
    std::optional<std::uint64_t> count_before_;
    std::vector<KernelRecord> reports_;  // the OOM killer's records seen so far
};

}  // namespace blackbox::limit
