// The regression engine on constructed figures: what is flagged, what is noise, what is left out.

#include <gtest/gtest.h>

#include <blackbox/compare/comparison.hpp>
#include <blackbox/compare/spread.hpp>

#include "memory_source.hpp"

namespace blackbox::compare {
namespace {

using testing::figures;
using testing::MiB;

// The baseline of `sessions` sessions in which every test of `tests` ran as given.
Baseline steady(const std::vector<TestFigures>& tests, std::size_t sessions = 5) {
    return build_baseline(std::vector<std::vector<TestFigures>>(sessions, tests));
}

// Five sessions of one test whose wall time takes the values given (CPU time 0: it waits).
Baseline waits(const std::string& nodeid, std::vector<double> walls) {
    std::vector<std::vector<TestFigures>> sessions;
    for (double wall : walls) {
        sessions.push_back({figures(nodeid, wall, MiB, "passed", 0.0)});
    }
    return build_baseline(sessions);
}

// One session against another: the floors alone.
Thresholds one_session() {
    Thresholds thresholds;
    thresholds.min_sessions = 1;
    return thresholds;
}

TEST(Comparison, FlagsATestThatWaits60PercentLonger) {
    // A 50 ms test that waits (its CPU time ~0): steady to the millisecond.
    auto base = waits("t::fetch", {0.050, 0.051, 0.050, 0.052, 0.050});
    auto result =
        compare_tests({figures("t::fetch", 0.080, MiB, "passed", 0.0)}, base, Thresholds{});
    ASSERT_EQ(result.regressions.size(), 1U);
    const auto& change = result.regressions[0];
    EXPECT_EQ(change.nodeid, "t::fetch");
    EXPECT_EQ(change.metric, Metric::wall);
    EXPECT_DOUBLE_EQ(change.base, 0.050);
    EXPECT_DOUBLE_EQ(change.now, 0.080);
    EXPECT_NEAR(*change.relative(), 0.6, 1e-9);
    EXPECT_DOUBLE_EQ(change.limit, 0.02);  // the absolute floor: 25% of 50 ms is less
    EXPECT_EQ(change.baseline_sessions, 5U);
    EXPECT_EQ(result.compared, 1U);
}

TEST(Comparison, ANoisyTestMustMoveBeyondItsOwnSpread) {
    // A test whose wall time moves by ~30 ms between runs: +60% is within five spreads.
    auto noisy = waits("t::io", {0.050, 0.080, 0.030, 0.060, 0.040});
    double spread = noisy.at("t::io").of(Metric::wall)->spread;
    EXPECT_NEAR(spread, 0.010 * kMadToStandardDeviation, 1e-12);
    auto result = compare_tests({figures("t::io", 0.080, MiB, "passed", 0.0)}, noisy, Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
    result = compare_tests({figures("t::io", 0.050 + 5 * spread + 0.001, MiB, "passed", 0.0)},
                           noisy, Thresholds{});
    EXPECT_EQ(result.regressions.size(), 1U);
}

TEST(Comparison, WaitingForAProcessorIsTheMachinesNotTheTests) {
    // A CPU-bound 30 ms test that waited 60 ms more for a processor (the machine was busy): its
    // CPU time did not change, and 60 ms is within 3 times it and 3 scheduler slices.
    auto base = steady({figures("t::compute", 0.030, MiB, "passed", 0.030)});
    auto result =
        compare_tests({figures("t::compute", 0.090, MiB, "passed", 0.030)}, base, Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
    // Without the allowance, it would count.
    Thresholds strict;
    strict.contention = 0;
    result = compare_tests({figures("t::compute", 0.090, MiB, "passed", 0.030)}, base, strict);
    ASSERT_EQ(result.regressions.size(), 1U);
    EXPECT_EQ(result.regressions[0].metric, Metric::wall);
    // A test that computes longer is flagged by its CPU time.
    result =
        compare_tests({figures("t::compute", 0.200, MiB, "passed", 0.150)}, base, Thresholds{});
    ASSERT_EQ(result.regressions.size(), 1U);
    EXPECT_EQ(result.regressions[0].metric, Metric::cpu);
}

TEST(Comparison, ATinyTestThatRunsMayLoseSchedulerSlicesOneThatWaitsMayNot) {
    // Two 1 ms tests, 40 ms late: one computed for its millisecond (preempted: 3 slices of
    // 10 ms are allowed, and its CPU time), the other waited for its millisecond.
    auto base = steady({figures("t::runs", 0.001, MiB, "passed", 0.001),
                        figures("t::waits", 0.001, MiB, "passed", 0.0001)});
    auto result = compare_tests({figures("t::runs", 0.041, MiB, "passed", 0.001),
                                 figures("t::waits", 0.041, MiB, "passed", 0.0001)},
                                base, Thresholds{});
    ASSERT_EQ(result.regressions.size(), 1U);
    EXPECT_EQ(result.regressions[0].nodeid, "t::waits");
    EXPECT_NEAR(result.regressions[0].limit, 0.02 + 3 * 0.0001, 1e-12);
}

// A test's figures with the scheduler's account of its thread.
TestFigures scheduled(const std::string& nodeid, double wall, double cpu, double main_cpu,
                      double run_delay) {
    auto test = figures(nodeid, wall, MiB, "passed", cpu);
    test.main_cpu_s = main_cpu;
    test.run_delay_s = run_delay;
    return test;
}

TEST(Comparison, TheMeasuredWaitForAProcessorIsForgivenInFull) {
    // A 3 ms test that took 186 ms on a loaded machine: 24 ms of CPU time (its caches cold), and
    // 160 ms runnable but waiting for a processor. The estimate (3× its CPU time and 3 slices)
    // would fail it; the scheduler's measure says the machine took the time.
    auto base = steady({scheduled("t::small", 0.003, 0.003, 0.003, 0.0)});
    auto late = scheduled("t::small", 0.186, 0.024, 0.024, 0.160);
    auto result = compare_tests({late}, base, Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
    late.run_delay_s.reset();
    late.main_cpu_s.reset();
    result = compare_tests({late}, base, Thresholds{});
    ASSERT_EQ(result.regressions.size(), 1U);
    EXPECT_EQ(result.regressions[0].metric, Metric::wall);
}

TEST(Comparison, AMeasuredTestThatWaitsLongerIsStillFlagged) {
    // A test that sleeps 50 ms, now 80 ms: it waited on its own (no processor wait measured).
    auto base = steady({scheduled("t::fetch", 0.050, 0.001, 0.001, 0.0)});
    auto result =
        compare_tests({scheduled("t::fetch", 0.080, 0.001, 0.001, 0.001)}, base, Thresholds{});
    ASSERT_EQ(result.regressions.size(), 1U);
    EXPECT_EQ(result.regressions[0].metric, Metric::wall);
    // The allowance is the larger of the estimate (3 × 1 ms) and the measure (1 ms waited).
    EXPECT_NEAR(result.regressions[0].limit, 0.02 + 0.003, 1e-12);
}

TEST(Comparison, OtherThreadsCPUTimeKeepsTheEstimatedAllowance) {
    // A test whose worker threads computed 40 ms (the process's CPU time, not its thread's): the
    // waits of those threads are not measured, and 3× their CPU time is allowed for them.
    auto base = steady({scheduled("t::pool", 0.050, 0.040, 0.001, 0.0)});
    auto result =
        compare_tests({scheduled("t::pool", 0.150, 0.040, 0.001, 0.0)}, base, Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
}

TEST(Comparison, OtherThreadsCPUTimeMovesWithTheirScheduling) {
    // Ten threads handing a lock to each other: 0.4 s of CPU time on a quiet machine, 1.2 s when
    // more of them ran at once; the test's own thread only waited for them.
    auto base = steady({scheduled("t::threads", 0.5, 0.4, 0.001, 0.0)});
    auto result =
        compare_tests({scheduled("t::threads", 0.6, 1.2, 0.001, 0.0)}, base, Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
    // The same growth on the test's own thread is its own work.
    base = steady({scheduled("t::computes", 0.5, 0.4, 0.4, 0.0)});
    result = compare_tests({scheduled("t::computes", 1.3, 1.2, 1.2, 0.0)}, base, Thresholds{});
    ASSERT_EQ(result.regressions.size(), 1U);
    EXPECT_EQ(result.regressions[0].metric, Metric::cpu);
}

TEST(Comparison, FlagsATestThatAdds50MiBMoreWhateverItsProcessHeldBefore) {
    auto base = steady({figures("t::index", 0.1, 20 * MiB)});
    // Its process started 300 MiB higher (an earlier test kept memory): not this test's doing.
    auto result = compare_tests({figures("t::index", 0.1, 20 * MiB, "passed", 0.1, 330 * MiB)},
                                base, Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
    EXPECT_TRUE(result.improvements.empty());
    result = compare_tests({figures("t::index", 0.1, 70 * MiB)}, base, Thresholds{});
    ASSERT_EQ(result.regressions.size(), 1U);
    EXPECT_EQ(result.regressions[0].metric, Metric::memory);
    EXPECT_DOUBLE_EQ(result.regressions[0].now, 70.0 * MiB);
    EXPECT_DOUBLE_EQ(*result.regressions[0].relative(), 2.5);
}

TEST(Comparison, ASessionWhoseProcessorsWereSlowerIsJudgedAfterItsFactor) {
    std::vector<TestFigures> before, after;
    for (int i = 0; i < 8; ++i) {
        auto name = "t::c" + std::to_string(i);
        before.push_back(figures(name, 0.2, MiB, "passed", 0.2));
        after.push_back(figures(name, 0.3, MiB, "passed", 0.3));  // every test +50%
    }
    auto base = steady(before);
    after.back().cpu_s = 0.6;  // and one +200%: x2 beyond the session's factor
    after.back().wall_s = 0.6;
    auto result = compare_tests(after, base, Thresholds{});
    EXPECT_DOUBLE_EQ(result.cpu_factor, 1.5);
    ASSERT_EQ(result.regressions.size(), 1U);
    EXPECT_EQ(result.regressions[0].nodeid, "t::c7");
    EXPECT_EQ(result.regressions[0].metric, Metric::cpu);
    // 1.5 × (0.2 + 50% of it) − 0.2: the relative threshold past the factor
    EXPECT_NEAR(result.regressions[0].limit, 0.25, 1e-12);
}

TEST(Comparison, AFasterSessionDoesNotMakeTheOthersRegress) {
    std::vector<TestFigures> before, after;
    for (int i = 0; i < 8; ++i) {
        auto name = "t::c" + std::to_string(i);
        before.push_back(figures(name, 0.2, MiB, "passed", 0.2));
        after.push_back(figures(name, i == 0 ? 0.2 : 0.1, MiB, "passed", i == 0 ? 0.2 : 0.1));
    }
    auto result = compare_tests(after, steady(before), Thresholds{});
    EXPECT_DOUBLE_EQ(result.cpu_factor, 0.5);
    EXPECT_TRUE(result.regressions.empty());  // the factor only ever forgives
}

TEST(Comparison, AFigureTheBaselineAlreadyReachedIsNotARegression) {
    // A test whose threads make its memory jump now and then: its median is 30 MiB, one recent
    // run reached 120 MiB. 125 MiB is far beyond the median, not beyond that run by half a
    // margin (median 30 MiB: 20% is 6 MiB, the floor 10 MiB, half of it 5 MiB).
    std::vector<std::vector<TestFigures>> sessions;
    for (auto added : {30, 28, 31, 120, 29}) {
        sessions.push_back({figures("t::threads", 0.1, added * MiB, "passed", 0.0)});
    }
    auto base = build_baseline(sessions);
    EXPECT_DOUBLE_EQ(base.at("t::threads").of(Metric::memory)->highest, 120.0 * MiB);
    auto judge = [&](std::int64_t added) {
        return compare_tests({figures("t::threads", 0.1, added * MiB, "passed", 0.0)}, base,
                             Thresholds{})
            .regressions.size();
    };
    EXPECT_EQ(judge(125), 0U);
    EXPECT_EQ(judge(126), 1U);
}

TEST(Comparison, JudgesOnlyTestsWithEnoughBaselineSessions) {
    auto result =
        compare_tests({figures("t::a", 9.0, MiB), figures("t::b", 1.0, MiB)},
                      build_baseline({{figures("t::a", 1.0, MiB), figures("t::b", 1.0, MiB)},
                                      {figures("t::a", 1.0, MiB), figures("t::b", 1.0, MiB)},
                                      {figures("t::b", 1.0, MiB)}}),
                      Thresholds{});
    EXPECT_EQ(result.compared, 1U);
    EXPECT_EQ(result.little_history, (std::vector<std::string>{"t::a"}));
    EXPECT_TRUE(result.regressions.empty());
}

TEST(Comparison, IgnoresNoiseBelowTheAbsoluteFloor) {
    // Tripled, but by 12 ms of waiting, 40 ms of CPU and 4 MiB: below the floors.
    auto result =
        compare_tests({figures("t::tiny", 0.018, 6 * MiB, "passed", 0.06)},
                      steady({figures("t::tiny", 0.006, 2 * MiB, "passed", 0.02)}), Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
    EXPECT_TRUE(result.improvements.empty());
    EXPECT_EQ(result.compared, 1U);
}

TEST(Comparison, IgnoresSmallRelativeChangesOnLargeFigures) {
    // +1 s and +50 MiB are far above the floors, but only +10% of the baseline.
    auto result =
        compare_tests({figures("t::big", 11.0, 550 * MiB, "passed", 0.0)},
                      steady({figures("t::big", 10.0, 500 * MiB, "passed", 0.0)}), Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
}

TEST(Comparison, ThresholdsAreChosenPerMetric) {
    Thresholds strict;
    strict.wall = {0.05, 0.5};
    strict.memory = {0.05, 1.0 * MiB};
    auto result =
        compare_tests({figures("t::big", 11.0, 550 * MiB, "passed", 0.0)},
                      steady({figures("t::big", 10.0, 500 * MiB, "passed", 0.0)}), strict);
    ASSERT_EQ(result.regressions.size(), 2U);
    EXPECT_EQ(result.regressions[0].metric, Metric::wall);  // +10% on both: wall before memory
    EXPECT_EQ(result.regressions[1].metric, Metric::memory);
}

TEST(Comparison, ReportsImprovementsApart) {
    auto result = compare_tests({figures("t::faster", 0.4, 10 * MiB)},
                                steady({figures("t::faster", 1.0, 10 * MiB)}), Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
    ASSERT_EQ(result.improvements.size(), 2U);  // wall and cpu (= wall here)
    EXPECT_DOUBLE_EQ(*result.improvements[0].relative(), -0.6);
}

TEST(Comparison, ListsRegressionsWorstFirst) {
    auto result = compare_tests(
        {figures("t::a", 1.3, MiB, "passed", 0.0), figures("t::b", 3.0, MiB, "passed", 0.0),
         figures("t::c", 2.0, MiB, "passed", 0.0)},
        steady({figures("t::a", 1.0, MiB, "passed", 0.0), figures("t::b", 1.0, MiB, "passed", 0.0),
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
        steady({figures("t::was_free", 0.0, 0, "passed", 0.0),
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
        build_baseline({{figures("t::same", 1.0, MiB), figures("t::now_failing", 1.0, MiB),
                         figures("t::crashed", 1.0, MiB), figures("t::gone", 1.0, MiB),
                         figures("t::was_failing", 1.0, MiB, "failed")}}),
        one_session());
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

TEST(Comparison, OneSessionAgainstAnotherUsesTheFloorsAlone) {
    auto base = build_baseline({{figures("t::a", 1.0, MiB, "passed", 0.0)}});
    EXPECT_EQ(compare_tests({figures("t::a", 1.3, MiB, "passed", 0.0)}, base, one_session())
                  .regressions.size(),
              1U);
    EXPECT_EQ(compare_tests({figures("t::a", 1.2, MiB, "passed", 0.0)}, base, one_session())
                  .regressions.size(),
              0U);
}

TEST(Comparison, SkipsAFigureThatWasNotMeasured) {
    auto now = figures("t::a", 5.0, 500 * MiB);
    now.peak_rss_bytes.reset();
    auto result = compare_tests({now}, steady({figures("t::a", 5.0, 1 * MiB)}), Thresholds{});
    EXPECT_TRUE(result.regressions.empty());
    EXPECT_EQ(result.compared, 1U);
}

TEST(Thresholds, TheMarginIsTheLargestOfSpreadRelativeAndAbsolute) {
    Threshold threshold{0.25, 0.02};
    EXPECT_DOUBLE_EQ(margin({0.05, 0.001, 5}, threshold, 5), 0.02);  // the floor
    EXPECT_DOUBLE_EQ(margin({1.0, 0.01, 5}, threshold, 5), 0.25);    // 25% of 1 s
    EXPECT_DOUBLE_EQ(margin({1.0, 0.1, 5}, threshold, 5), 0.5);      // 5 spreads of 0.1 s
    EXPECT_DOUBLE_EQ(margin({1.0, 0.1, 5}, threshold, 0), 0.25);     // spread ignored
}

}  // namespace
}  // namespace blackbox::compare
