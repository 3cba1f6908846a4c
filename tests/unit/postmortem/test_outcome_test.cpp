#include <gtest/gtest.h>

#include <blackbox/postmortem/test_outcome.hpp>

namespace blackbox::postmortem {
namespace {

PhaseResult phase(const std::string& outcome, std::optional<std::string> wasxfail = std::nullopt) {
    PhaseResult result;
    result.outcome = outcome == "passed"    ? PhaseResult::Outcome::passed
                     : outcome == "skipped" ? PhaseResult::Outcome::skipped
                                            : PhaseResult::Outcome::failed;
    result.wasxfail = wasxfail.has_value();
    return result;
}

TestResult test(std::optional<PhaseResult> setup, std::optional<PhaseResult> call,
                std::optional<PhaseResult> teardown) {
    TestResult result;
    result.setup = std::move(setup);
    result.call = std::move(call);
    result.teardown = std::move(teardown);
    return result;
}

TEST(TestOutcome, FollowsPytestsTerminalWords) {
    EXPECT_EQ(derive_outcome(test(phase("passed"), phase("passed"), phase("passed"))), "passed");
    EXPECT_EQ(derive_outcome(test(phase("passed"), phase("failed"), phase("passed"))), "failed");
    EXPECT_EQ(derive_outcome(test(phase("skipped"), std::nullopt, phase("passed"))), "skipped");
    EXPECT_EQ(derive_outcome(test(phase("failed"), std::nullopt, phase("passed"))), "error");
    EXPECT_EQ(derive_outcome(test(phase("passed"), phase("skipped", "reason"), phase("passed"))),
              "xfailed");
    EXPECT_EQ(derive_outcome(test(phase("passed"), phase("passed", ""), phase("passed"))),
              "xpassed");
    EXPECT_EQ(derive_outcome(test(phase("skipped", "x"), std::nullopt, phase("passed"))),
              "xfailed");
}

TEST(TestOutcome, ATeardownErrorAfterAPassCountsOnceAsAnError) {
    EXPECT_EQ(derive_outcome(test(phase("passed"), phase("passed"), phase("failed"))), "error");
    EXPECT_EQ(derive_outcome(test(phase("passed"), phase("failed"), phase("failed"))), "failed");
}

TEST(TestOutcome, NoReportMeansNotRun) {
    EXPECT_EQ(derive_outcome(test(std::nullopt, std::nullopt, std::nullopt)), "not_run");
}

}  // namespace
}  // namespace blackbox::postmortem
