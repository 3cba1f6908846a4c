#include <algorithm>

#include <blackbox/postmortem/test_outcome.hpp>

namespace blackbox::postmortem {

namespace {

std::string from_main_phase(const PhaseResult& phase) {
    bool xfail = phase.wasxfail;
    if (phase.outcome == PhaseResult::Outcome::passed) {
        return xfail ? "xpassed" : "passed";
    }
    if (phase.outcome == PhaseResult::Outcome::skipped) {
        return xfail ? "xfailed" : "skipped";
    }
    return "failed";  // a strict xpass is reported as a failure by pytest itself
}

}  // namespace

std::string derive_outcome(const TestResult& test) {
    using Outcome = PhaseResult::Outcome;
    if (test.setup && test.setup->outcome == Outcome::failed) {
        return "error";
    }
    if (test.setup && test.setup->outcome == Outcome::skipped) {
        return test.setup->wasxfail ? "xfailed" : "skipped";
    }
    std::string outcome = test.call ? from_main_phase(*test.call) : "not_run";
    if (test.teardown && test.teardown->outcome == Outcome::failed && outcome != "failed") {
        return "error";
    }
    if (outcome == "not_run" && test.setup) {
        outcome = test.teardown ? "passed" : "not_run";  // e.g. a setup that ran, then no call
    }
    // A failed subtest fails its test, which pytest-subtests reports passed beside it (the
    // session fails all the same).
    if ((outcome == "passed" || outcome == "xpassed") &&
        std::any_of(test.subtests.begin(), test.subtests.end(),
                    [](const journal::Subtest& subtest) { return subtest.outcome == "failed"; })) {
        return "failed";
    }
    return outcome;
}

}  // namespace blackbox::postmortem
