#pragma once

// The hang watchdog (--hang-timeout): a test phase (setup, call or teardown) that has run
// longer than the timeout is a hang. Its process is asked for every thread's stack, then
// killed; the verdict goes into supervisor.jsonl so the post-mortem says "hang".

#include <chrono>
#include <cstdint>
#include <set>

#include <blackbox/live/run_watch.hpp>
#include <blackbox/live/stack_dump.hpp>
#include <blackbox/live/supervisor_log.hpp>

namespace blackbox::live {

class HangWatchdog {
  public:
    HangWatchdog(std::chrono::duration<double> timeout, SupervisorLog& log)
        : timeout_ns_(static_cast<std::int64_t>(timeout.count() * 1e9)), log_(log) {}

    // Looks at every process's phase in flight at `now_ns` (CLOCK_MONOTONIC); dumps and
    // schedules the kill of those overdue, and kills those whose dump is written.
    void check(const RunWatch& watch, std::int64_t now_ns);

  private:
    std::int64_t timeout_ns_;
    SupervisorLog& log_;
    std::set<std::pair<long, std::int64_t>> handled_;  // (pid, phase start) already acted on
    PendingKills kills_;
};

}  // namespace blackbox::live
