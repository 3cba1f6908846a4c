// Finding our v1 memory cgroup and our v2 cgroup through the CgroupFs seam. (The parsing of
// /proc/self/cgroup and mountinfo is the sampler's, tested in tests/unit/sample/cgroup_test.cpp.)

#include <gtest/gtest.h>

#include <blackbox/limit/cgroup_places.hpp>

#include "fake_cgroup_tree.hpp"

namespace blackbox::limit {
namespace {

TEST(CgroupPlaces, FindsOurGroupsThroughCgroupFsOrNone) {
    test_support::FakeCgroupTree tree;
    EXPECT_EQ(find_cgroups(tree), CgroupPlaces{});
    tree.place_us("/ci/job", "/");
    auto places = find_cgroups(tree);
    ASSERT_TRUE(places.v1_memory);
    EXPECT_EQ(*places.v1_memory, (CgroupDir{1, "/sys/fs/cgroup/memory/ci/job"}));
    ASSERT_TRUE(places.v2);
    EXPECT_EQ(*places.v2, (CgroupDir{2, "/sys/fs/cgroup/unified"}));
    EXPECT_EQ(memory_cgroup(places), places.v1_memory);
    tree.place_us("", "/user.slice/app.slice");
    places = find_cgroups(tree);
    EXPECT_EQ(places.v1_memory, std::nullopt);
    EXPECT_EQ(memory_cgroup(places), (CgroupDir{2, "/sys/fs/cgroup/unified/user.slice/app.slice"}));
}

}  // namespace
}  // namespace blackbox::limit
