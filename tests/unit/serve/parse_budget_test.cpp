// The bodies read at once stay within the budget: a share that does not fit waits for one to end,
// or comes back empty when none ends in time; one larger than the budget takes all of it.

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <blackbox/serve/parse_budget.hpp>

namespace blackbox::serve {
namespace {

using namespace std::chrono_literals;

TEST(ParseBudget, ASharePastTheBudgetWaitsForAnotherToEnd) {
    ParseBudget budget(100);
    auto first = budget.take(60, 0ms);
    ASSERT_TRUE(first);
    EXPECT_FALSE(budget.take(60, 10ms));  // none ends in time
    std::atomic<bool> taken{false};
    std::thread waiting([&] {
        auto second = budget.take(60, 10s);
        taken = static_cast<bool>(second);
    });
    { auto ended = std::move(first); }  // given back: the waiting one goes on
    waiting.join();
    EXPECT_TRUE(taken);
}

TEST(ParseBudget, OneLargerThanTheBudgetTakesAllOfIt) {
    ParseBudget budget(100);
    {
        auto all = budget.take(1000, 0ms);
        ASSERT_TRUE(all);
        EXPECT_FALSE(budget.take(1, 0ms));
    }
    EXPECT_TRUE(budget.take(100, 0ms));
}

}  // namespace
}  // namespace blackbox::serve
