// The command's oom_score_adj, raised before exec so the OOM killer prefers it to us.

#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/limit/oom_score.hpp>

namespace blackbox::limit {
namespace {

TEST(OomScoreAdj, RaisesTheChildsOwnValue) {
    auto write = oom_score_adj_write(kDefaultOomScoreAdj, 0);
    ASSERT_TRUE(write);
    EXPECT_EQ(write->path, "/proc/self/oom_score_adj");
    EXPECT_EQ(write->bytes, "500\n");
    EXPECT_FALSE(write->required);  // a refusal must not keep the tests from running
}

TEST(OomScoreAdj, ZeroOrNoRaiseWritesNothing) {
    EXPECT_EQ(oom_score_adj_write(0, 0), std::nullopt);
    EXPECT_EQ(oom_score_adj_write(300, 300), std::nullopt);
    EXPECT_EQ(oom_score_adj_write(300, 800), std::nullopt);  // never lowered
}

TEST(OomScoreAdj, RejectsValuesOutsideTheKernelsRange) {
    EXPECT_THROW(oom_score_adj_write(1001, 0), Error);
    EXPECT_THROW(oom_score_adj_write(-5, 0), Error);
}

TEST(OomScoreAdj, ReadsOurOwnValue) {
    const int ours = current_oom_score_adj();
    EXPECT_GE(ours, -1000);
    EXPECT_LE(ours, 1000);
}

}  // namespace
}  // namespace blackbox::limit
