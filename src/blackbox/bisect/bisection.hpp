#pragma once

// The search for the tests that make a crash happen (detect-test-pollution's method, for
// crashes): the crashing test is rerun after halves of the tests that ran before it on its
// process, keeping the half that still makes it crash, down to one test, which is then verified.
// Pure: each rerun goes through a seam, so the search is tested without running pytest.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace blackbox::bisect {

// Runs these node ids in this order on one pytest process (the crashing test last) and says
// whether that test crashed. May throw blackbox::Error when it cannot run at all.
using CrashOracle = std::function<bool(const std::vector<std::string>& ordered)>;

struct BisectResult {
    enum class Outcome {
        crashes_alone,   // the test crashes with no predecessor: nothing to search
        not_reproduced,  // it does not crash even after all its predecessors
        found,           // `polluters` (one test) makes it crash: verified
        not_reduced,     // no single test does; `polluters` is the smallest set seen crashing
        out_of_reruns,   // --max-reruns reached; `polluters` is the smallest set seen crashing
    };
    Outcome outcome = Outcome::not_reproduced;
    std::vector<std::string> polluters;  // in the order they ran
    std::size_t reruns = 0;
};

// Searches `predecessors` (in the order they ran before `culprit`) with at most `max_reruns`
// reruns: the culprit alone, after all predecessors, then one rerun per halving (the first half;
// when it does not crash, the second is kept unverified) and one to verify the last test when it
// was kept unverified: at most ceil(log2(n)) + 3 reruns for n predecessors.
BisectResult find_polluters(const std::vector<std::string>& predecessors,
                            const std::string& culprit, const CrashOracle& crashes,
                            std::size_t max_reruns);

}  // namespace blackbox::bisect
