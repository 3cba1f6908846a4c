// The baseline: per test and metric, the median over the sessions where the test passed.

#include <gtest/gtest.h>

#include <blackbox/compare/baseline.hpp>
#include <blackbox/compare/median.hpp>
#include <blackbox/compare/spread.hpp>

#include "memory_source.hpp"

namespace blackbox::compare {
namespace {

using testing::figures;
using testing::MiB;

TEST(Median, OfAnOddCountIsTheMiddleValue) {
    EXPECT_EQ(median({3.0, 1.0, 2.0}), 2.0);
    EXPECT_EQ(median({7.0}), 7.0);
}

TEST(Median, OfAnEvenCountIsTheMeanOfTheTwoMiddleValues) {
    EXPECT_EQ(median({4.0, 1.0, 3.0, 2.0}), 2.5);
}

TEST(Median, OfNothingIsEmpty) {
    EXPECT_FALSE(median({}).has_value());
}

TEST(Spread, IsTheMedianAbsoluteDeviationScaledToAStandardDeviation) {
    // median 10, deviations 0 1 1 2 40: their median 1.
    EXPECT_DOUBLE_EQ(robust_spread({10, 11, 9, 12, 50}), kMadToStandardDeviation);
    EXPECT_EQ(robust_spread({5.0}), 0.0);
    EXPECT_EQ(robust_spread({}), 0.0);
}

TEST(Spread, OneWildSessionDoesNotInflateIt) {
    EXPECT_DOUBLE_EQ(robust_spread({1.0, 1.0, 1.0, 1.0, 30.0}), 0.0);
}

TEST(Baseline, IsTheMedianOverTheSessionsWhereTheTestPassed) {
    auto baseline = build_baseline({
        {figures("t::a", 1.0, 10 * MiB)},
        {figures("t::a", 1.1, 12 * MiB)},
        {figures("t::a", 50.0, 900 * MiB, "failed")},  // says nothing of its normal cost
        {figures("t::a", 0.9, 11 * MiB)},
        {figures("t::a", 1.2, 13 * MiB)},
    });
    ASSERT_EQ(baseline.count("t::a"), 1U);
    const auto& entry = baseline.at("t::a");
    EXPECT_EQ(entry.passed_sessions, 4U);
    EXPECT_DOUBLE_EQ(*entry.median(Metric::wall), 1.05);
    EXPECT_DOUBLE_EQ(*entry.median(Metric::memory), 11.5 * MiB);
    EXPECT_EQ(entry.of(Metric::wall)->count, 4U);
    // deviations from 1.05: 0.05 0.05 0.15 0.15, their median 0.1
    EXPECT_NEAR(entry.of(Metric::wall)->spread, 0.1 * kMadToStandardDeviation, 1e-12);
}

TEST(Baseline, JudgesMemoryByWhatTheTestAddedToItsProcess) {
    // The same test after a leak of 200 MiB earlier in its process: its peak is higher, what
    // it added the same.
    auto baseline = build_baseline({
        {figures("t::a", 1.0, 10 * MiB, "passed", std::nullopt, 30 * MiB)},
        {figures("t::a", 1.0, 10 * MiB, "passed", std::nullopt, 230 * MiB)},
    });
    EXPECT_DOUBLE_EQ(*baseline.at("t::a").median(Metric::memory), 10.0 * MiB);
    EXPECT_DOUBLE_EQ(baseline.at("t::a").of(Metric::memory)->spread, 0.0);
}

TEST(Baseline, OneNoisySessionDoesNotMoveIt) {
    auto baseline = build_baseline({
        {figures("t::a", 1.0, MiB)},
        {figures("t::a", 1.0, MiB)},
        {figures("t::a", 30.0, MiB)},  // a loaded machine, once
    });
    EXPECT_DOUBLE_EQ(*baseline.at("t::a").median(Metric::wall), 1.0);
}

TEST(Baseline, LeavesOutTestsThatNeverPassed) {
    auto baseline = build_baseline(
        {{figures("t::a", 1.0, MiB, "skipped")}, {figures("t::a", 1.0, MiB, "crashed")}});
    EXPECT_TRUE(baseline.empty());
}

TEST(Baseline, HasNoMedianForAFigureNeverMeasured) {
    auto test = figures("t::a", 1.0, MiB);
    test.cpu_s.reset();
    auto baseline = build_baseline({{test}});
    EXPECT_FALSE(baseline.at("t::a").of(Metric::cpu).has_value());
    EXPECT_TRUE(baseline.at("t::a").of(Metric::wall).has_value());
    test.rss_before_bytes.reset();  // what it added is unknown: no memory figure
    EXPECT_FALSE(build_baseline({{test}}).at("t::a").of(Metric::memory).has_value());
}

}  // namespace
}  // namespace blackbox::compare
