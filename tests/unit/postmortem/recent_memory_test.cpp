#include <gtest/gtest.h>

#include <blackbox/postmortem/recent_memory.hpp>

namespace blackbox::postmortem {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

TEST(RecentMemory, KeepsARealTrailWhole) {
    RecentMemory recent(10 * kSecond);
    for (std::int64_t i = 0; i < 400; ++i) {  // 20 s at 50 ms
        recent.add({i * kSecond / 20, i, std::nullopt, std::nullopt});
    }
    auto points = recent.points();
    ASSERT_EQ(points.size(), 201U);  // the last 10 s, both ends included
    EXPECT_EQ(points.front().tree_rss, 199);
    EXPECT_EQ(points.back().tree_rss, 399);
    for (std::size_t i = 1; i < points.size(); ++i) {
        EXPECT_EQ(points[i].tree_rss, points[i - 1].tree_rss + 1);
    }
}

TEST(RecentMemory, ADenseTrailIsBoundedKeepsItsPeaksAndItsLastSamplesExactly) {
    RecentMemory recent(10 * kSecond, 400, 32);
    // Two million samples within the window, one peak among them.
    for (std::int64_t i = 0; i < 2'000'000; ++i) {
        std::int64_t rss = i == 1'000'000 ? 1'000'000'000 : i % 1000;
        recent.add({i * 4'000, rss, std::nullopt, std::nullopt});
    }
    auto points = recent.points();
    EXPECT_LE(points.size(), 2U * 400 + 1 + 32);
    bool peak = false;
    for (const auto& point : points) {
        peak = peak || point.tree_rss == 1'000'000'000;
    }
    EXPECT_TRUE(peak);
    for (std::size_t i = 0; i < 32; ++i) {
        const auto& point = points[points.size() - 32 + i];
        EXPECT_EQ(point.ns, (2'000'000 - 32 + static_cast<std::int64_t>(i)) * 4'000);
    }
    EXPECT_EQ(recent.newest().ns, std::int64_t{1'999'999} * 4'000);
}

TEST(RecentMemory, ATrailOutOfTimeOrderStaysBounded) {
    RecentMemory recent(10 * kSecond, 100, 8);
    for (std::int64_t i = 0; i < 100'000; ++i) {
        std::int64_t ns = (i % 2 == 0 ? i : -i) * 1'000'000'000'000;
        recent.add({ns, i, std::nullopt, std::nullopt});
    }
    EXPECT_LE(recent.points().size(), 2U * 100 + 1 + 8);
}

}  // namespace
}  // namespace blackbox::postmortem
