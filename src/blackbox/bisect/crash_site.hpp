#pragma once

// Where a bisection starts: a test that crashed, and the tests its pytest process ran before it,
// in the order it ran them (from the journals, through the run's model).

#include <optional>
#include <string>
#include <vector>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::bisect {

struct CrashSite {
    std::string culprit;                    // the crashed test's node id
    std::string cause;                      // the crash's cause ("segfault", …)
    std::vector<std::string> predecessors;  // same process, earlier, in the order they began
};

// The crash of test `nodeid` in `run`, or of its first crashed test when `nodeid` is empty.
// Throws blackbox::Error (exit status 2) when the run has no such crash (none, or only crashes
// outside a test: collection, start-up).
CrashSite crash_site(const postmortem::RunModel& run, const std::string& nodeid);

}  // namespace blackbox::bisect
