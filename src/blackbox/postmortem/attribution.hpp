#pragma once

// Attribution: for every pytest process that died, what it was doing (test and phase, a module
// being collected, session start-up or shutdown) and how it died (the supervisor's wait status,
// the xdist controller's report, faulthandler's file, or nothing — "unknown").

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <blackbox/journal/faulthandler_dump.hpp>
#include <blackbox/journal/process_replay.hpp>
#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

struct ProcessEvidence {
    const journal::ProcessReplay* process = nullptr;
    std::optional<journal::FaulthandlerDump> dump;  // the last dump in its faulthandler file
};

// What a supervisor watchdog did (a record of supervisor.jsonl): "hang" (it killed `pid`),
// "memory_limit" (it killed the tree at the limit), "oom" (the kernel's OOM killer did).
struct Verdict {
    std::string ev;
    long pid = 0;  // 0: the whole tree
    int attempt = 1;
    std::string evidence;
};

struct EndFacts {
    std::vector<AttemptEnd> attempt_ends;  // wait statuses the supervisor saw (end.json)
    std::optional<int> forwarded_signal;   // the user asked the run to stop
    std::vector<Verdict> verdicts;         // what the watchdogs established
    // Processes still running when the run was read ({attempt, pid}): not dead, no crash.
    std::vector<std::pair<int, long>> running;
    // The supervisor died during this attempt (its dead man's switch said so, and killed
    // pytest's tree): what pytest was doing then was cut short by that, not by itself.
    std::optional<SupervisorLoss> supervisor_lost;
};

// One crash per dead process (collection crashes of several xdist workers on one module are
// merged), in process order; a process still running is none.
std::vector<Crash> attribute_crashes(const std::vector<ProcessEvidence>& processes,
                                     const EndFacts& end);

}  // namespace blackbox::postmortem
