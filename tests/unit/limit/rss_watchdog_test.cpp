// The user-space limit: the sampler's totals against the limit and the dump threshold.

#include <vector>

#include <gtest/gtest.h>

#include <blackbox/limit/rss_watchdog.hpp>

namespace blackbox::limit {
namespace {

struct Recorder {
    std::vector<ThresholdCrossing> crossings;
    std::vector<pid_t> kills;
    std::vector<std::vector<pid_t>> trees;

    RssWatchdog watchdog(std::uint64_t limit, std::uint64_t threshold) {
        return RssWatchdog(
            limit, threshold, [this](const ThresholdCrossing& c) { crossings.push_back(c); },
            [this](pid_t group, const std::vector<pid_t>& tree) {
                kills.push_back(group);
                trees.push_back(tree);
                return true;
            });
    }
};

TEST(RssWatchdog, KillsTheGroupOnceWhenTheTreeReachesTheLimit) {
    Recorder recorder;
    auto watchdog = recorder.watchdog(1000, 900);
    watchdog.attach(77);
    watchdog.on_sample(1, 500);
    EXPECT_TRUE(recorder.kills.empty());
    watchdog.on_sample(2, 1000);
    watchdog.on_sample(3, 1200);
    EXPECT_EQ(recorder.kills, std::vector<pid_t>{77});
    EXPECT_EQ(watchdog.kill(), (WatchdogKill{2, 1000, 1000, 77, true}));
}

TEST(RssWatchdog, CallsTheThresholdOncePerRise) {
    Recorder recorder;
    auto watchdog = recorder.watchdog(1000, 900);
    watchdog.attach(77);
    for (std::uint64_t rss : {100u, 900u, 950u, 800u, 899u, 901u}) {
        watchdog.on_sample(static_cast<std::int64_t>(rss), rss);
    }
    ASSERT_EQ(recorder.crossings.size(), 2u);
    EXPECT_EQ(recorder.crossings[0], (ThresholdCrossing{900, 900, 900}));
    EXPECT_EQ(recorder.crossings[1], (ThresholdCrossing{901, 901, 900}));
    EXPECT_TRUE(recorder.kills.empty());
}

TEST(RssWatchdog, CallsTheThresholdBeforeKillingOnTheSameSample) {
    std::vector<std::string> order;
    RssWatchdog watchdog(
        1000, 900, [&](const ThresholdCrossing&) { order.push_back("threshold"); },
        [&](pid_t, const std::vector<pid_t>&) {
            order.push_back("kill");
            return true;
        });
    watchdog.attach(77);
    watchdog.on_sample(1, 5000);
    EXPECT_EQ(order, (std::vector<std::string>{"threshold", "kill"}));
}

TEST(RssWatchdog, KillsTheSampledTreeWithTheGroup) {
    // A process that left the group (setsid) is still in the sample, and dies with the tree.
    Recorder recorder;
    auto watchdog = recorder.watchdog(1000, 0);
    watchdog.attach(77);
    watchdog.on_sample(1, 1500, {77, 78, 90});
    EXPECT_EQ(recorder.kills, std::vector<pid_t>{77});
    EXPECT_EQ(recorder.trees, (std::vector<std::vector<pid_t>>{{77, 78, 90}}));
}

TEST(RssWatchdog, KillsNothingBeforeAttach) {
    Recorder recorder;
    auto watchdog = recorder.watchdog(1000, 0);
    watchdog.on_sample(1, 5000);
    EXPECT_TRUE(recorder.kills.empty());
    EXPECT_EQ(watchdog.kill(), std::nullopt);
    EXPECT_TRUE(recorder.crossings.empty());  // threshold 0: none
}

TEST(RssWatchdog, ARestartedCommandCanBeKilledAgain) {
    Recorder recorder;
    auto watchdog = recorder.watchdog(1000, 0);
    watchdog.attach(77);
    watchdog.on_sample(1, 1000);
    watchdog.attach(88);
    EXPECT_EQ(watchdog.kill(), std::nullopt);
    watchdog.on_sample(2, 1000);
    EXPECT_EQ(recorder.kills, (std::vector<pid_t>{77, 88}));
}

}  // namespace
}  // namespace blackbox::limit
