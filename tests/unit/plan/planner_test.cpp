// make_plan: pytest-split's algorithms balance durations; the memory budget decides where heavy
// tests may go and how many workers each shard gets; tests without history are spread evenly.

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include <blackbox/plan/memory_model.hpp>
#include <blackbox/plan/overhead.hpp>
#include <blackbox/plan/plan.hpp>

namespace blackbox::plan {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

// A reproducible synthetic history: `count` tests, durations log-uniform over 10 ms..5 s, peaks
// around 80 MiB with every `heavy_every`th test at 600..900 MiB.
std::vector<TestCost> synthetic_suite(std::size_t count, std::size_t heavy_every,
                                      unsigned seed = 7) {
    std::mt19937 random(seed);
    std::uniform_real_distribution<double> exponent(std::log(0.01), std::log(5.0));
    std::uniform_int_distribution<std::int64_t> light(60 * kMiB, 100 * kMiB);
    std::uniform_int_distribution<std::int64_t> heavy(600 * kMiB, 900 * kMiB);
    std::vector<TestCost> suite;
    for (std::size_t i = 0; i < count; ++i) {
        bool is_heavy = heavy_every != 0 && i % heavy_every == 0;
        suite.push_back({"tests/test_m" + std::to_string(i / 50) + ".py::test_" + std::to_string(i),
                         std::exp(exponent(random)), is_heavy ? heavy(random) : light(random)});
    }
    return suite;
}

double spread(const Plan& plan) {
    auto [low, high] = std::minmax_element(
        plan.shards.begin(), plan.shards.end(),
        [](const Shard& a, const Shard& b) { return a.duration_s < b.duration_s; });
    return (high->duration_s - low->duration_s) / high->duration_s;
}

// The same for the expected wall time (duration over workers): what a budget balances, as its
// shards may run with different workers.
double wall_spread(const Plan& plan) {
    auto [low, high] = std::minmax_element(
        plan.shards.begin(), plan.shards.end(),
        [](const Shard& a, const Shard& b) { return a.expected_wall_s() < b.expected_wall_s(); });
    return (high->expected_wall_s() - low->expected_wall_s()) / high->expected_wall_s();
}

// The expected peak of `shard` recomputed from the suite's figures, independently of the plan.
std::int64_t peak_of(const Shard& shard, const std::vector<TestCost>& suite, const Plan& plan) {
    MemoryModel model{plan.controller_bytes, plan.request.heavy_above};
    ShardMemory memory(model);
    for (const auto& test : suite) {
        if (std::find(shard.tests.begin(), shard.tests.end(), test.nodeid) != shard.tests.end()) {
            memory.add(*test.peak_bytes);
        }
    }
    return memory.peak_with(shard.workers);
}

TEST(LeastDuration, BalancesShardsWithinAFewPercent) {
    auto suite = synthetic_suite(1000, 0);
    for (std::size_t shards : std::initializer_list<std::size_t>{2, 4, 8}) {
        auto plan = make_plan(suite, {shards, Algorithm::least_duration, std::nullopt, 4, {}, {}});
        EXPECT_LT(spread(plan), 0.02) << shards << " shards";
    }
}

TEST(LeastDuration, PutsEveryTestInExactlyOneShard) {
    auto suite = synthetic_suite(300, 10);
    auto plan = make_plan(suite, {4, Algorithm::least_duration, 2048 * kMiB, 4, {}, {}});
    std::multiset<std::string> seen;
    for (const auto& shard : plan.shards) {
        seen.insert(shard.tests.begin(), shard.tests.end());
    }
    EXPECT_EQ(seen.size(), suite.size());
    for (const auto& test : suite) {
        EXPECT_EQ(seen.count(test.nodeid), 1u) << test.nodeid;
    }
}

TEST(LeastDuration, KeepsTheSuitesOrderWithinAShard) {
    auto suite = synthetic_suite(100, 0);
    auto plan = make_plan(suite, {3, Algorithm::least_duration, std::nullopt, 1, {}, {}});
    for (const auto& shard : plan.shards) {
        for (std::size_t i = 1; i < shard.tests.size(); ++i) {
            auto index = [&](const std::string& id) {
                return std::find_if(suite.begin(), suite.end(),
                                    [&](const TestCost& t) { return t.nodeid == id; }) -
                       suite.begin();
            };
            EXPECT_LT(index(shard.tests[i - 1]), index(shard.tests[i]));
        }
    }
}

TEST(MemoryBudget, IsRespectedByEveryShardWithItsWorkers) {
    auto suite = synthetic_suite(400, 20);
    const std::int64_t budget = 2048 * kMiB;
    auto plan = make_plan(suite, {4, Algorithm::least_duration, budget, 8, {}, {}});
    EXPECT_TRUE(plan.memory_kept);
    for (const auto& shard : plan.shards) {
        EXPECT_TRUE(shard.within_budget);
        EXPECT_LE(shard.peak_bytes, budget);
        EXPECT_EQ(shard.peak_bytes, peak_of(shard, suite, plan));
        EXPECT_GE(shard.workers, 2u);  // heavy tests spread out: no shard is left with one
    }
    // Most heavy tests share one shard run by two workers, with little else to do; the others
    // run with eight: duration over workers is balanced, not duration.
    EXPECT_LT(wall_spread(plan), 0.05);
}

TEST(MemoryBudget, SpreadsHeavyTestsWhereDurationAloneGathersThem) {
    // Four heavy tests, all long: duration alone puts two in one shard of two.
    std::vector<TestCost> suite{{"h1", 10.0, 900 * kMiB}, {"h2", 9.0, 900 * kMiB},
                                {"h3", 8.0, 900 * kMiB},  {"h4", 7.0, 900 * kMiB},
                                {"l1", 1.0, 100 * kMiB},  {"l2", 1.0, 100 * kMiB}};
    auto plain = make_plan(suite, {2, Algorithm::least_duration, std::nullopt, 2, {}, {}});
    auto budgeted = make_plan(suite, {2, Algorithm::least_duration, 1900 * kMiB, 2, {}, {}});
    for (const auto& shard : budgeted.shards) {
        EXPECT_LE(shard.peak_bytes, 1900 * kMiB);
    }
    EXPECT_TRUE(budgeted.memory_kept);
    EXPECT_EQ(plain.shards[0].tests.size() + plain.shards[1].tests.size(), suite.size());
}

TEST(MemoryBudget, OneWorkerWhenTwoHeavyTestsCannotMeet) {
    std::vector<TestCost> suite{{"h1", 5.0, 1500 * kMiB},
                                {"h2", 5.0, 1500 * kMiB},
                                {"l1", 5.0, 100 * kMiB},
                                {"l2", 5.0, 100 * kMiB}};
    auto plan = make_plan(suite, {1, Algorithm::least_duration, 2000 * kMiB, 4, {}, {}});
    EXPECT_EQ(plan.shards[0].workers, 1u);
    EXPECT_EQ(plan.shards[0].peak_bytes, 1500 * kMiB);
}

TEST(MemoryBudget, IsolatingHeavyTestsLetsMoreWorkersFit) {
    std::vector<TestCost> suite{{"h1", 5.0, 1500 * kMiB}, {"h2", 5.0, 1500 * kMiB},
                                {"l1", 5.0, 100 * kMiB},  {"l2", 5.0, 100 * kMiB},
                                {"l3", 5.0, 100 * kMiB},  {"l4", 5.0, 100 * kMiB}};
    auto plan = make_plan(suite, {1, Algorithm::least_duration, 2000 * kMiB, 4, 1000 * kMiB, {}});
    const auto& shard = plan.shards[0];
    EXPECT_EQ(shard.heavy, (std::vector<std::string>{"h1", "h2"}));
    // controller (100) + one heavy (1500) + three light (300) = 1900 MiB.
    EXPECT_EQ(shard.workers, 4u);
    EXPECT_EQ(shard.peak_bytes, 1900 * kMiB);
    EXPECT_DOUBLE_EQ(shard.expected_wall_s(), 10.0);  // the heavy group runs on one worker
}

TEST(MemoryBudget, AShardHeldToOneWorkerGetsLessToDo) {
    // The heavy test leaves room for no second worker beside it, so no split gives every shard
    // two workers; balancing durations alone would give its shard (one worker) half the suite.
    std::vector<TestCost> suite{{"heavy", 10.0, 350 * kMiB}};
    for (int i = 0; i < 20; ++i) {
        suite.push_back({"light_" + std::to_string(i), 1.0, 30 * kMiB});
    }
    auto plan = make_plan(suite, {2, Algorithm::least_duration, 400 * kMiB, 4, {}, {}});
    ASSERT_TRUE(plan.memory_kept);
    const auto& held = plan.shards[0].tests.front() == "heavy" ? plan.shards[0] : plan.shards[1];
    const auto& other = &held == &plan.shards[0] ? plan.shards[1] : plan.shards[0];
    EXPECT_EQ(held.workers, 1u);
    EXPECT_EQ(other.workers, 4u);
    // least_duration would give each shard 15 s, 15 s of wall time on the held one.
    EXPECT_DOUBLE_EQ(held.expected_wall_s(), 10.0);
    EXPECT_LE(other.expected_wall_s(), 10.0);
    for (const auto& shard : plan.shards) {
        EXPECT_LE(shard.peak_bytes, 400 * kMiB);
    }
}

TEST(MemoryBudget, ATestAloneOverTheBudgetFallsBackToDurationAndSaysSo) {
    std::vector<TestCost> suite{{"huge", 1.0, 5000 * kMiB}, {"a", 1.0, 10 * kMiB}};
    auto plan = make_plan(suite, {2, Algorithm::least_duration, 1000 * kMiB, 4, {}, {}});
    EXPECT_FALSE(plan.memory_kept);
    auto over = std::count_if(plan.shards.begin(), plan.shards.end(),
                              [](const Shard& s) { return !s.within_budget; });
    EXPECT_EQ(over, 1);
}

TEST(Workers, AreAsManyAsFitUpToTheMaximum) {
    std::vector<TestCost> suite;
    for (int i = 0; i < 10; ++i) {
        suite.push_back({"t" + std::to_string(i), 1.0, 100 * kMiB});
    }
    // controller 100 + W × 100 <= 650 → W = 5.
    EXPECT_EQ(
        make_plan(suite, {1, Algorithm::least_duration, 650 * kMiB, 8, {}, {}}).shards[0].workers,
        5u);
    EXPECT_EQ(
        make_plan(suite, {1, Algorithm::least_duration, 650 * kMiB, 3, {}, {}}).shards[0].workers,
        3u);
    EXPECT_EQ(
        make_plan(suite, {1, Algorithm::least_duration, std::nullopt, 6, {}, {}}).shards[0].workers,
        6u);
    // Never more workers than tests.
    EXPECT_EQ(make_plan({suite[0]}, {1, Algorithm::least_duration, std::nullopt, 6, {}, {}})
                  .shards[0]
                  .workers,
              1u);
}

TEST(NoHistory, TestsWithoutHistoryAreSpreadEvenlyWithTheAverageDuration) {
    std::vector<TestCost> suite{{"a", 4.0, 10 * kMiB}, {"b", 2.0, 10 * kMiB}};
    for (int i = 0; i < 9; ++i) {
        suite.push_back({"new_" + std::to_string(i), std::nullopt, std::nullopt});
    }
    auto plan = make_plan(suite, {3, Algorithm::least_duration, std::nullopt, 2, {}, {}});
    EXPECT_DOUBLE_EQ(plan.average_duration_s, 3.0);
    EXPECT_EQ(plan.tests_without_history, 9u);
    std::vector<std::size_t> unknown;
    for (const auto& shard : plan.shards) {
        unknown.push_back(static_cast<std::size_t>(
            std::count_if(shard.tests.begin(), shard.tests.end(),
                          [](const std::string& id) { return id.starts_with("new_"); })));
    }
    auto [low, high] = std::minmax_element(unknown.begin(), unknown.end());
    EXPECT_LE(*high - *low, 2u);
    EXPECT_LT(spread(plan), 0.2);
}

TEST(DurationBasedChunks, CutsTheSuitesOrderIntoContiguousRuns) {
    auto suite = synthetic_suite(200, 0);
    auto plan = make_plan(suite, {4, Algorithm::duration_based_chunks, std::nullopt, 1, {}, {}});
    std::vector<std::string> joined;
    for (const auto& shard : plan.shards) {
        EXPECT_FALSE(shard.tests.empty());
        joined.insert(joined.end(), shard.tests.begin(), shard.tests.end());
    }
    ASSERT_EQ(joined.size(), suite.size());
    for (std::size_t i = 0; i < suite.size(); ++i) {
        EXPECT_EQ(joined[i], suite[i].nodeid);
    }
}

}  // namespace
}  // namespace blackbox::plan

namespace blackbox::plan {
namespace {

SessionCost session(std::size_t workers, double startup, double collection, double finish) {
    return {workers, compare::SessionCourse{startup, collection, finish}, 2};
}

TEST(Overhead, IsTheMedianOverTheSessionsWithTheShardsWorkers) {
    std::vector<SessionCost> sessions{session(0, 0.4, 0.1, 0.1), session(2, 1.0, 0.3, 0.2),
                                      session(2, 1.2, 0.5, 0.4), session(2, 1.1, 0.4, 0.3),
                                      session(0, 0.6, 0.1, 0.1)};
    auto two = overhead_for(sessions, 2);
    EXPECT_EQ(two.sessions, 3U);
    EXPECT_EQ(two.from_workers, 2U);
    EXPECT_DOUBLE_EQ(two.startup_s, 1.1);
    EXPECT_DOUBLE_EQ(two.collection_s, 0.4);
    EXPECT_DOUBLE_EQ(two.finish_s, 0.3);
    EXPECT_DOUBLE_EQ(two.total_s(), 1.8);
    auto serial = overhead_for(sessions, 1);  // one worker: pytest without xdist
    EXPECT_EQ(serial.from_workers, 0U);
    EXPECT_DOUBLE_EQ(serial.startup_s, 0.5);
}

TEST(Overhead, TakesTheNearestWorkersWhenNoSessionRanWithThem) {
    std::vector<SessionCost> sessions{session(0, 0.4, 0.1, 0.1), session(2, 1.0, 0.3, 0.2),
                                      session(4, 2.0, 0.6, 0.3)};
    EXPECT_EQ(overhead_for(sessions, 3).from_workers, 4U);  // equally near: the more workers
    EXPECT_EQ(overhead_for(sessions, 8).from_workers, 4U);
    // Sessions recorded before the course was: nothing known, nothing added.
    std::vector<SessionCost> unknown{{2, {}, 2}};
    EXPECT_EQ(overhead_for(unknown, 2).sessions, 0U);
    EXPECT_DOUBLE_EQ(overhead_for(unknown, 2).total_s(), 0.0);
}

TEST(Overhead, IsPartOfAShardsExpectedWallTimeAndOfItsBalance) {
    auto suite = synthetic_suite(200, 0);
    PlanRequest request{4, Algorithm::least_duration, std::nullopt, 2, {}, {0, 0.5, 3.0}};
    auto plan = make_plan(suite, request);
    for (const auto& shard : plan.shards) {
        EXPECT_DOUBLE_EQ(shard.overhead_s, 3.0);  // two workers each
        EXPECT_DOUBLE_EQ(shard.expected_wall_s(), 3.0 + shard.duration_s / 2);
    }
    // Under a budget the layouts mix workers: a shard's start counts in where tests go.
    std::vector<TestCost> two{
        {"t::a", 10.0, 100 * kMiB}, {"t::b", 10.0, 100 * kMiB}, {"t::c", 10.0, 100 * kMiB}};
    PlanRequest mixed{2, Algorithm::least_duration, 10000 * kMiB, 2, {}, {0, 0.0, 100.0}};
    auto cheap_start = make_plan(two, mixed);
    // With two workers a shard would pay 100 s before its first test: one worker each is
    // expected to end first (15 s against 105 s or more).
    for (const auto& shard : cheap_start.shards) {
        EXPECT_EQ(shard.workers, 1U);
    }
}

}  // namespace
}  // namespace blackbox::plan
