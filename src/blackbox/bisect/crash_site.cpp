#include <algorithm>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/bisect/crash_site.hpp>

namespace blackbox::bisect {

namespace {

constexpr int kNoCrash = 2;

// When the test began on its process: its first phase's begin (0 when the journal has none).
std::int64_t began_ns(const postmortem::TestResult& test) {
    for (const auto* phase : {&test.setup, &test.call, &test.teardown}) {
        if (*phase && (*phase)->begin_ns != 0) {
            return (*phase)->begin_ns;
        }
    }
    return 0;
}

}  // namespace

CrashSite crash_site(const postmortem::RunModel& run, const std::string& nodeid) {
    const postmortem::TestResult* crashed = nullptr;
    for (const auto& test : run.tests) {
        if (test.crash && (nodeid.empty() || test.nodeid == nodeid)) {
            const auto& crash = run.crashes.at(*test.crash);
            if (crash.phase == "setup" || crash.phase == "call" || crash.phase == "teardown") {
                crashed = &test;
                break;
            }
        }
    }
    if (crashed == nullptr) {
        throw Error(nodeid.empty()
                        ? fmt::format("no test crashed in {}", run.dir.string())
                        : fmt::format("{} did not crash in {}", nodeid, run.dir.string()),
                    kNoCrash);
    }
    CrashSite site{crashed->nodeid, run.crashes.at(*crashed->crash).cause, {}};
    // The model keeps collection order; under xdist a worker runs its tests in another, so the
    // journal's times decide (a stable sort keeps collection order where they are missing).
    std::vector<const postmortem::TestResult*> before;
    for (const auto& test : run.tests) {
        if (&test != crashed && test.pid == crashed->pid && test.attempt == crashed->attempt &&
            test.outcome != "not_run" && began_ns(test) <= began_ns(*crashed)) {
            before.push_back(&test);
        }
    }
    std::stable_sort(before.begin(), before.end(),
                     [](auto* a, auto* b) { return began_ns(*a) < began_ns(*b); });
    for (const auto* test : before) {
        site.predecessors.push_back(test->nodeid);
    }
    return site;
}

}  // namespace blackbox::bisect
