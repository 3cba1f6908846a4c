// Finding our v1 memory cgroup and our v2 cgroup from /proc/self/cgroup and mountinfo.

#include <gtest/gtest.h>

#include <blackbox/limit/cgroup_places.hpp>

#include "fake_cgroup_tree.hpp"

namespace blackbox::limit {
namespace {

constexpr const char* kHybridCgroup =
    "9:name=systemd:/\n"
    "4:memory:/process_api/e50e997298ed986834c90b3df22496a9\n"
    "3:cpuset:/\n"
    "0::/\n";

constexpr const char* kHybridMounts =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

TEST(CgroupPlaces, FindsBothHierarchiesOnAHybridSystem) {
    auto places = locate_cgroups(kHybridCgroup, kHybridMounts);
    ASSERT_TRUE(places.v1_memory);
    EXPECT_EQ(*places.v1_memory,
              (CgroupDir{1, "/sys/fs/cgroup/memory/process_api/e50e997298ed986834c90b3df22496a9"}));
    ASSERT_TRUE(places.v2);
    EXPECT_EQ(*places.v2, (CgroupDir{2, "/sys/fs/cgroup/unified"}));
    EXPECT_EQ(memory_cgroup(places), places.v1_memory);
}

TEST(CgroupPlaces, FindsTheV2GroupOnAUnifiedSystem) {
    auto places = locate_cgroups(
        "0::/user.slice/user-1000.slice/user@1000.service/app.slice/vte-spawn-1.scope\n",
        "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
        "rw,nsdelegate,memory_recursiveprot\n");
    EXPECT_EQ(places.v1_memory, std::nullopt);
    ASSERT_TRUE(places.v2);
    EXPECT_EQ(places.v2->directory,
              "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/"
              "vte-spawn-1.scope");
    EXPECT_EQ(memory_cgroup(places), places.v2);
}

TEST(CgroupPlaces, MapsAGroupThroughAMountOfASubtree) {
    // A container sees its own subtree mounted at /sys/fs/cgroup.
    auto places = locate_cgroups("0::/docker/abc/inner\n",
                                 "40 30 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n");
    ASSERT_TRUE(places.v2);
    EXPECT_EQ(places.v2->directory, "/sys/fs/cgroup/inner");
}

TEST(CgroupPlaces, LeavesOutAGroupOutsideEveryMount) {
    auto places = locate_cgroups("0::/elsewhere\n",
                                 "40 30 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n");
    EXPECT_EQ(places.v2, std::nullopt);
}

TEST(CgroupPlaces, UnescapesMountPoints) {
    auto places = locate_cgroups("0::/a\n", "40 30 0:26 / /mnt/c\\040g rw - cgroup2 none rw\n");
    ASSERT_TRUE(places.v2);
    EXPECT_EQ(places.v2->directory, "/mnt/c g/a");
}

TEST(CgroupPlaces, IgnoresMemorylessV1Hierarchies) {
    auto places = locate_cgroups("4:memory:/x\n",
                                 "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n");
    EXPECT_EQ(places.v1_memory, std::nullopt);
}

TEST(CgroupPlaces, IsEmptyWithoutCgroupFiles) {
    test_support::FakeCgroupTree tree;
    EXPECT_EQ(find_cgroups(tree), CgroupPlaces{});
    tree.place_us("/ci/job", "/");
    auto places = find_cgroups(tree);
    ASSERT_TRUE(places.v1_memory);
    EXPECT_EQ(places.v1_memory->directory, "/sys/fs/cgroup/memory/ci/job");
}

}  // namespace
}  // namespace blackbox::limit
