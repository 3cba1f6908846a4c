// The regression engine on constructed figures: what is flagged, what is noise, what is left out.

#include <gtest/gtest.h>

#include <blackbox/compare/comparison.hpp>

#include "memory_source.hpp"

namespace blackbox::compare {
namespace {

using testing::figures;
using testing::MiB;

Baseline baseline_of(const std::vector<TestFigures>& tests) {
    return build_baseline({tests});
}

TEST(Comparison, FlagsATestMadeHalfAgainSlower) {
    auto result = compare_tests({figures("t::slow", 1.5, 50 * MiB, "passed", 0.2)},
                                baseline_of({figures("t::slow", 1.0, 50 * MiB, "passed", 0.2)}),
                                Thresholds{});
    ASSERT_EQ(result.regressions.size(), 1U);
    const auto& change = result.regressions[0];
    EXPECT_EQ(change.nodeid, "t::slow");
    EXPECT_EQ(change.metric, Metric::wall);
    EXPECT_DOUBLE_EQ(change.base, 1.0);
    EXPECT_DOUBLE_EQ(change.now, 1.5);
    EXPECT_DOUBLE_EQ(*change.relative(), 0.5);
    EXPECT_EQ(result.compared, 1U);
}

TEST(Comparison, FlagsATestThatNeedsTwiceTheMemory) {
    auto result = compare_tests({figures("t::hungry", 0.1, 200 * MiB)},
                                baseline_of({figures("t::hungry", 0.1, 100 * MiB)}), Thresholds{});
    ASSERT_EQ(result.regressions.size(), 1U);
    EXPECT_EQ(result.regressions[0].metric, Metric::memory);
    EXPECT_DOUBLE_EQ(*result.regressions[0].relative(), 1.0);
}

TEST(Comparison, FlagsCpuTimeOnItsOwn) {
    auto result = compare_tests({figures("t::busy", 1.0, 10 * MiB, "passed", 0.9)},
                                baseline_of({figures("t::busy", 1.0, 10 * MiB, "passed", 0.3)}),
                                Thresholds{});
    ASSERT_EQ(result.regressions.size(), 1U);
    EXPECT_EQ(result.regressions[0].metric, Metric::cpu);
}

TEST(Comparison, IgnoresNoiseBelowTheAbsoluteFloor) {
    // Tripled, but by 0.04 s and 4 MiB: below the 0.05 s and 10 MiB floors.
    auto result = compare_tests({figures("t::tiny", 0.06, 6 * MiB)},
                                baseline_of({figures("t::tiny", 0.02, 2 * MiB)}), Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
    EXPECT_TRUE(result.improvements.empty());
    EXPECT_EQ(result.compared, 1U);
}

TEST(Comparison, IgnoresSmallRelativeChangesOnLargeFigures) {
    // +1 s and +50 MiB are far above the floors, but only +10% of the baseline.
    auto result = compare_tests({figures("t::big", 11.0, 550 * MiB)},
                                baseline_of({figures("t::big", 10.0, 500 * MiB)}), Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
}

TEST(Comparison, ThresholdsAreChosenPerMetric) {
    Thresholds strict;
    strict.wall = {0.05, 0.5};
    strict.memory = {0.05, 1.0 * MiB};
    auto result =
        compare_tests({figures("t::big", 11.0, 550 * MiB, "passed", 1.0)},
                      baseline_of({figures("t::big", 10.0, 500 * MiB, "passed", 1.0)}), strict);
    ASSERT_EQ(result.regressions.size(), 2U);
    EXPECT_EQ(result.regressions[0].metric, Metric::wall);  // +10% on both: wall before memory
    EXPECT_EQ(result.regressions[1].metric, Metric::memory);
}

TEST(Comparison, ReportsImprovementsApart) {
    auto result = compare_tests({figures("t::faster", 0.5, 10 * MiB)},
                                baseline_of({figures("t::faster", 1.0, 10 * MiB)}), Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
    ASSERT_EQ(result.improvements.size(), 2U);  // wall and cpu (= wall here)
    EXPECT_DOUBLE_EQ(*result.improvements[0].relative(), -0.5);
}

TEST(Comparison, ListsRegressionsWorstFirst) {
    auto result = compare_tests(
        {figures("t::a", 1.3, MiB, "passed", 0.0), figures("t::b", 3.0, MiB, "passed", 0.0),
         figures("t::c", 2.0, MiB, "passed", 0.0)},
        baseline_of({figures("t::a", 1.0, MiB, "passed", 0.0),
                     figures("t::b", 1.0, MiB, "passed", 0.0),
                     figures("t::c", 1.0, MiB, "passed", 0.0)}),
        Thresholds{});
    ASSERT_EQ(result.regressions.size(), 3U);
    EXPECT_EQ(result.regressions[0].nodeid, "t::b");
    EXPECT_EQ(result.regressions[1].nodeid, "t::c");
    EXPECT_EQ(result.regressions[2].nodeid, "t::a");
}

TEST(Comparison, AGrowthFromZeroRanksFirstAndHasNoRelativeChange) {
    auto result = compare_tests(
        {figures("t::was_free", 0.0, 0, "passed", 1.0), figures("t::b", 3.0, MiB, "passed", 0.0)},
        baseline_of({figures("t::was_free", 0.0, 0, "passed", 0.0),
                     figures("t::b", 1.0, MiB, "passed", 0.0)}),
        Thresholds{});
    ASSERT_EQ(result.regressions.size(), 2U);
    EXPECT_EQ(result.regressions[0].nodeid, "t::was_free");
    EXPECT_FALSE(result.regressions[0].relative().has_value());
}

TEST(Comparison, ComparesOnlyTestsThatPassedOnBothSides) {
    auto result = compare_tests(
        {figures("t::same", 1.0, MiB), figures("t::brand_new", 9.0, MiB),
         figures("t::now_failing", 9.0, MiB, "failed"), figures("t::crashed", 9.0, MiB, "crashed"),
         figures("t::was_failing", 9.0, MiB)},
        baseline_of({figures("t::same", 1.0, MiB), figures("t::now_failing", 1.0, MiB),
                     figures("t::crashed", 1.0, MiB), figures("t::gone", 1.0, MiB),
                     figures("t::was_failing", 1.0, MiB, "failed")}),
        Thresholds{});
    EXPECT_EQ(result.compared, 1U);
    EXPECT_TRUE(result.regressions.empty());
    EXPECT_EQ(result.without_baseline,
              (std::vector<std::string>{"t::brand_new", "t::was_failing"}));
    EXPECT_EQ(result.missing, (std::vector<std::string>{"t::gone"}));
    ASSERT_EQ(result.not_passed.size(), 2U);
    EXPECT_EQ(result.not_passed[0].nodeid, "t::crashed");
    EXPECT_EQ(result.not_passed[0].outcome, "crashed");
    EXPECT_EQ(result.not_passed[1].nodeid, "t::now_failing");
}

TEST(Comparison, SkipsAFigureThatWasNotMeasured) {
    auto now = figures("t::a", 5.0, 500 * MiB);
    now.peak_rss_bytes.reset();
    auto result = compare_tests({now}, baseline_of({figures("t::a", 5.0, 1 * MiB)}), Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
    EXPECT_EQ(result.compared, 1U);
}

TEST(Thresholds, NeedBothTheRelativeAndTheAbsoluteBound) {
    Threshold threshold{0.2, 0.05};
    EXPECT_TRUE(is_regression(1.0, 1.21, threshold));
    EXPECT_FALSE(is_regression(1.0, 1.2, threshold));    // exactly 20% is not beyond it
    EXPECT_FALSE(is_regression(0.1, 0.149, threshold));  // +49% but under 0.05 s
    EXPECT_TRUE(is_improvement(1.0, 0.79, threshold));
    EXPECT_FALSE(is_improvement(0.1, 0.06, threshold));  // -40% but under 0.05 s
}

}  // namespace
}  // namespace blackbox::compare
