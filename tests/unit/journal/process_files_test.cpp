#include <gtest/gtest.h>

#include <blackbox/journal/process_files.hpp>

namespace blackbox::journal {
namespace {

TEST(ProcessFiles, ParsesAttemptRoleAndPid) {
    auto files = parse_stem("2-gw11-4242");
    ASSERT_TRUE(files);
    EXPECT_EQ(files->attempt, 2);
    EXPECT_EQ(files->role, "gw11");
    EXPECT_EQ(files->pid, 4242);
    EXPECT_TRUE(files->is_worker());
    EXPECT_FALSE(parse_stem("1-main-123")->is_worker());
}

TEST(ProcessFiles, RejectsStemsOfAnotherShape) {
    EXPECT_FALSE(parse_stem("main"));
    EXPECT_FALSE(parse_stem("x-main-1"));
    EXPECT_FALSE(parse_stem("1-main-"));
    EXPECT_FALSE(parse_stem("1--5"));
}

}  // namespace
}  // namespace blackbox::journal
