// find_polluters against a fake oracle: it names the one polluter in a logarithmic number of
// reruns, and says so when there is nothing to find.

#include <algorithm>
#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include <blackbox/bisect/bisection.hpp>

namespace blackbox::bisect {
namespace {

std::vector<std::string> tests(std::size_t count) {
    std::vector<std::string> ids;
    for (std::size_t i = 1; i <= count; ++i) {
        ids.push_back("test_" + std::to_string(i));
    }
    return ids;
}

// The culprit crashes when all of `polluters` ran before it; records each list it was given.
struct FakeSuite {
    explicit FakeSuite(std::set<std::string> needed = {}) : polluters(std::move(needed)) {}

    std::set<std::string> polluters;
    bool alone = false;
    std::vector<std::vector<std::string>> runs;

    CrashOracle oracle() {
        return [this](const std::vector<std::string>& ordered) {
            runs.push_back(ordered);
            if (alone) {
                return true;
            }
            return !polluters.empty() &&
                   std::all_of(polluters.begin(), polluters.end(), [&](const std::string& id) {
                       return std::find(ordered.begin(), ordered.end(), id) != ordered.end();
                   });
        };
    }
};

TEST(Bisection, NamesTheOnePolluterInLogarithmicReruns) {
    auto before = tests(179);  // test 180 of 200 ran after 179 others
    for (std::size_t polluter : {1u, 37u, 90u, 178u, 179u}) {
        FakeSuite suite({"test_" + std::to_string(polluter)});
        auto result = find_polluters(before, "test_180", suite.oracle(), 100);
        EXPECT_EQ(result.outcome, BisectResult::Outcome::found) << polluter;
        EXPECT_EQ(result.polluters, std::vector<std::string>{"test_" + std::to_string(polluter)});
        EXPECT_EQ(result.reruns, suite.runs.size());
        EXPECT_LE(result.reruns, static_cast<std::size_t>(std::ceil(std::log2(179.0))) + 3);
    }
}

TEST(Bisection, RunsTheCulpritLastAndKeepsTheOrder) {
    FakeSuite suite({"test_5"});
    find_polluters(tests(8), "culprit", suite.oracle(), 100);
    for (const auto& run : suite.runs) {
        EXPECT_EQ(run.back(), "culprit");
        auto ids = std::vector<std::string>(run.begin(), run.end() - 1);
        EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end(), [](auto& a, auto& b) {
            return std::stoi(a.substr(5)) < std::stoi(b.substr(5));
        }));
    }
}

TEST(Bisection, SaysWhenTheTestCrashesAlone) {
    FakeSuite suite;
    suite.alone = true;
    auto result = find_polluters(tests(50), "culprit", suite.oracle(), 100);
    EXPECT_EQ(result.outcome, BisectResult::Outcome::crashes_alone);
    EXPECT_EQ(result.reruns, 1u);
}

TEST(Bisection, SaysWhenTheCrashDoesNotReproduce) {
    FakeSuite suite;
    auto result = find_polluters(tests(50), "culprit", suite.oracle(), 100);
    EXPECT_EQ(result.outcome, BisectResult::Outcome::not_reproduced);
    EXPECT_EQ(result.reruns, 2u);
}

TEST(Bisection, KeepsTheSmallestCrashingSetWhenTwoTestsAreNeeded) {
    FakeSuite suite({"test_2", "test_60"});
    auto result = find_polluters(tests(64), "culprit", suite.oracle(), 100);
    EXPECT_EQ(result.outcome, BisectResult::Outcome::not_reduced);
    EXPECT_EQ(result.polluters, tests(64));  // no half of it crashed: the whole is all we know
}

TEST(Bisection, StopsAtTheRerunBudget) {
    FakeSuite suite({"test_37"});
    auto result = find_polluters(tests(179), "culprit", suite.oracle(), 4);
    EXPECT_EQ(result.outcome, BisectResult::Outcome::out_of_reruns);
    EXPECT_EQ(result.reruns, 4u);
    EXPECT_NE(std::find(result.polluters.begin(), result.polluters.end(), "test_37"),
              result.polluters.end());
}

}  // namespace
}  // namespace blackbox::bisect
