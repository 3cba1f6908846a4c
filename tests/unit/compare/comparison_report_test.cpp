// A whole comparison over a constructed history: the verdict CI gates on.

#include <gtest/gtest.h>

#include <blackbox/compare/comparison_report.hpp>

#include "memory_source.hpp"

namespace blackbox::compare {
namespace {

using testing::figures;
using testing::MemorySource;
using testing::MiB;

// Five steady sessions of two tests.
MemorySource steady_history() {
    MemorySource source;
    for (double wall : {1.0, 1.02, 0.98, 1.01, 0.99}) {
        source.add({figures("t::slow", wall, 50 * MiB), figures("t::hungry", 0.2, 100 * MiB)});
    }
    return source;
}

TEST(ComparisonReport, ASlowerAndAHungrierTestExitWithStatus1) {
    auto source = steady_history();
    source.add({figures("t::slow", 1.6, 50 * MiB), figures("t::hungry", 0.2, 200 * MiB)});
    auto report = run_comparison(source, {});
    EXPECT_EQ(report.selection.baseline.size(), 5U);
    // The CPU time of one (its wall time grew by no more than its CPU time), the memory of the
    // other.
    ASSERT_EQ(report.comparison.regressions.size(), 2U);
    EXPECT_EQ(report.comparison.regressions[0].nodeid, "t::hungry");  // +100% before +60%
    EXPECT_EQ(report.comparison.regressions[1].metric, Metric::cpu);
    EXPECT_EQ(verdict(report), "regressed");
    EXPECT_EQ(exit_status(report), kRegression);
}

TEST(ComparisonReport, NoiseBelowTheFloorsExitsWithStatus0) {
    auto source = steady_history();
    source.add(
        {figures("t::slow", 1.04, 50 * MiB + 5 * MiB), figures("t::hungry", 0.24, 100 * MiB)});
    auto report = run_comparison(source, {});
    EXPECT_TRUE(report.comparison.regressions.empty());
    EXPECT_EQ(report.comparison.compared, 2U);
    EXPECT_EQ(exit_status(report), kNoRegression);
}

TEST(ComparisonReport, TheBaselineIsTheMedianOfTheLastNSessions) {
    MemorySource source;
    source.add({figures("t::a", 10.0, MiB)});  // old and slow: outside --last 3
    source.add({figures("t::a", 10.0, MiB)});
    source.add({figures("t::a", 1.0, MiB)});
    source.add({figures("t::a", 9.0, MiB)});  // one slow session among the last three
    source.add({figures("t::a", 1.0, MiB)});
    source.add({figures("t::a", 1.1, MiB)});
    ComparisonRequest request;
    request.last = 3;
    auto report = run_comparison(source, request);
    EXPECT_EQ(report.selection.baseline.size(), 3U);
    EXPECT_EQ(exit_status(report), kNoRegression);  // median 1.0: +10% is within 25%
    request.last = 5;
    EXPECT_EQ(exit_status(run_comparison(source, request)), kNoRegression);  // median 9.0: faster
    EXPECT_FALSE(run_comparison(source, request).comparison.improvements.empty());
}

TEST(ComparisonReport, SessionsWithOtherSettingsAreNeverTheBaseline) {
    MemorySource source;
    const std::string serial = R"({"workers":0})", two = R"({"workers":2})";
    for (int i = 0; i < 3; ++i) {
        source.add({figures("t::a", 1.0, MiB)}, "env-a", serial);
        source.add({figures("t::a", 3.0, 90 * MiB)}, "env-a", two);  // busier, hungrier
    }
    source.add({figures("t::a", 1.0, MiB)}, "env-a", serial);
    auto report = run_comparison(source, {});
    EXPECT_EQ(report.selection.baseline.size(), 3U);
    EXPECT_EQ(report.selection.other_settings, 3U);
    EXPECT_EQ(report.selection.note,
              "3 sessions with other settings (2 xdist workers) before it "
              "are left out");
    EXPECT_TRUE(report.comparison.improvements.empty());
    EXPECT_EQ(exit_status(report), kNoRegression);

    source.add({figures("t::a", 3.0, 90 * MiB)}, "env-a", R"({"workers":4})");
    report = run_comparison(source, {});
    EXPECT_TRUE(report.selection.baseline.empty());
    EXPECT_EQ(report.selection.note,
              "no session before run run-8 ran with its settings (4 xdist workers); the 7 sessions "
              "with other settings (serial; 2 xdist workers) are not comparable with it");
    EXPECT_EQ(exit_status(report), kNothingToCompare);
}

TEST(ComparisonReport, TooLittleHistoryExitsWithStatus2) {
    MemorySource source;
    source.add({figures("t::a", 1.0, MiB)});
    source.add({figures("t::a", 1.0, MiB)});
    source.add({figures("t::a", 9.0, MiB)});
    auto report = run_comparison(source, {});
    EXPECT_EQ(report.comparison.little_history, (std::vector<std::string>{"t::a"}));
    EXPECT_EQ(exit_status(report), kNothingToCompare);
    ComparisonRequest request;
    request.thresholds.min_sessions = 2;
    EXPECT_EQ(exit_status(run_comparison(source, request)), kRegression);
}

TEST(ComparisonReport, NoBaselineExitsWithStatus2) {
    MemorySource source;
    source.add({figures("t::a", 1.0, MiB)});
    auto report = run_comparison(source, {});
    EXPECT_TRUE(report.selection.baseline.empty());
    EXPECT_EQ(verdict(report), "nothing_to_compare");
    EXPECT_EQ(exit_status(report), kNothingToCompare);
    MemorySource empty;
    EXPECT_EQ(exit_status(run_comparison(empty, {})), kNothingToCompare);
}

TEST(ComparisonReport, NoTestPassedOnBothSidesExitsWithStatus2) {
    MemorySource source;
    source.add({figures("t::a", 1.0, MiB)});
    source.add({figures("t::a", 9.0, MiB, "crashed")});
    auto report = run_comparison(source, {});
    EXPECT_EQ(report.comparison.compared, 0U);
    EXPECT_EQ(report.comparison.not_passed.size(), 1U);
    EXPECT_EQ(exit_status(report), kNothingToCompare);
}

TEST(ComparisonReport, AnExplicitBaseIsOneSession) {
    auto source = steady_history();
    source.add({figures("t::slow", 1.5, 50 * MiB), figures("t::hungry", 0.2, 100 * MiB)});
    ComparisonRequest request;
    request.base = "run-6";
    request.now = "run-1";  // the other way round: run 1 is faster than run 6
    auto report = run_comparison(source, request);
    EXPECT_EQ(report.selection.now->run_id, "run-1");
    EXPECT_TRUE(report.comparison.regressions.empty());
    EXPECT_FALSE(report.comparison.improvements.empty());
    EXPECT_EQ(exit_status(report), kNoRegression);
}

}  // namespace
}  // namespace blackbox::compare
