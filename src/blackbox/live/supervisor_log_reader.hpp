#pragma once

// supervisor.jsonl read back (docs/formats/run-directory.md): what the supervisor's watchdogs
// established, who the supervisor was, the memory limit, the supervisor's own death as its dead
// man's switch recorded it, and the processes the command left running. SupervisorLog writes it.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace blackbox::live {

// A death a watchdog established: a hang, the memory limit, the kernel's OOM killer.
struct WatchdogVerdict {
    std::string ev;  // "hang", "memory_limit" or "oom"
    long pid = 0;    // 0: the whole tree
    int attempt = 1;
    std::string evidence;  // in words, for the post-mortem
};

// The supervisor's death (`supervisor_lost`).
struct SupervisorDeath {
    int attempt = 1;
    long pid = 0;
    std::int64_t ns = 0;
    bool group_killed = false;
    std::int64_t cgroup_killed = 0;
};

// A process the command left running when it ended (an entry of `leftovers`).
struct LeftoverProcess {
    int attempt = 1;
    long pid = 0;
    std::string command;
    bool in_group = false;
    bool stopped = false;
    std::optional<std::int64_t> started_ns;
};

struct SupervisorLogFacts {
    std::vector<WatchdogVerdict> verdicts;           // in the file's order
    std::optional<nlohmann::json> supervisor;        // the last `supervisor` record: who it was
    std::optional<std::int64_t> memory_limit;        // the last `limit` record's bytes
    std::optional<SupervisorDeath> supervisor_lost;  // the last `supervisor_lost` record
    std::vector<LeftoverProcess> left_running;       // every `leftovers` record's processes
};

// Reads `<run_dir>/supervisor.jsonl`; a missing file says nothing, a torn or foreign line is
// skipped. Never throws for what the file holds.
SupervisorLogFacts read_supervisor_log(const std::filesystem::path& run_dir);

}  // namespace blackbox::live
