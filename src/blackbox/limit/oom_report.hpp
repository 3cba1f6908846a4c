#pragma once

// The kernel log lines that say the OOM killer (or Android's in-kernel lowmemorykiller) killed a
// process, in the formats of Linux 4.x to 6.x:
//   Memory cgroup out of memory: Killed process 4084 (python3) total-vm:82116kB, anon-rss:…
//   Out of memory: Killed process 4084 (python3) total-vm:82116kB, anon-rss:72204kB, …
//   Killed process 4084 (python3) total-vm:82116kB, …                     (4.x, second line)
//   oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),…,task=python3,pid=4084,uid=0  (4.19+)
//   lowmemorykiller: Killing 'com.termux' (4084), adj 900,                 (Android ≤ 4.19)
// The decision lines ("Out of memory: Kill process 4084 (python3) score 900 or sacrifice
// child", 4.x) are not kills: the kernel may kill a child instead, and says so next.

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include <blackbox/limit/kernel_log.hpp>

namespace blackbox::limit {

struct OomKill {
    pid_t pid = 0;
    std::string comm;     // the process's name as the kernel logged it; may be empty
    bool cgroup = false;  // a memory cgroup's limit was hit, not the machine's memory
    std::string message;  // the line that says so, as logged ("Killed process" preferred)
    bool operator==(const OomKill&) const = default;
};

// One log message → the kill it reports, or nullopt for any other message.
std::optional<OomKill> parse_oom_kill(std::string_view message);

// The kills reported by the kernel's own records in `records` (records written by processes —
// facility other than 0 — are ignored: anyone allowed to write /dev/kmsg could forge them). The
// kernel reports one kill in two lines ("oom-kill:…" and "Killed process …"): one OomKill per
// pid, in the order of first mention.
std::vector<OomKill> oom_kills_in(const std::vector<KernelRecord>& records);

}  // namespace blackbox::limit
