#include <gtest/gtest.h>

#include <blackbox/sample/cgroup_location.hpp>
#include <blackbox/sample/cgroup_memory.hpp>

#include "sample_support.hpp"

namespace blackbox::sample {
namespace {

using test_support::kRecordedRoot;
using test_support::recorded;

constexpr const char* kHybridPath = "/process_api/874c1780b95a7ee658454ee9d895c1be";
constexpr const char* kV2Path =
    "/user.slice/user-1000.slice/user@1000.service/app.slice/pytest.scope";

TEST(CgroupLocation, FindsTheV1MemoryHierarchyBesideAnEmptyUnifiedOne) {
    auto location = find_memory_cgroup(ProcFs(recorded("hybrid-v1")), kRecordedRoot);
    ASSERT_TRUE(location);
    EXPECT_EQ(location->version, 1);
    EXPECT_EQ(location->path, kHybridPath);
    EXPECT_EQ(location->directory, std::string("/sys/fs/cgroup/memory") + kHybridPath);
}

TEST(CgroupLocation, FindsTheV2CgroupOnTheCgroup2Mount) {
    auto location = find_memory_cgroup(ProcFs(recorded("unified-v2")), kRecordedRoot);
    ASSERT_TRUE(location);
    EXPECT_EQ(location->version, 2);
    EXPECT_EQ(location->path, kV2Path);
    EXPECT_EQ(location->directory, std::string("/sys/fs/cgroup") + kV2Path);
}

TEST(CgroupLocation, AndroidsRootMemcgIsTheMountItself) {
    auto location = find_memory_cgroup(ProcFs(recorded("android")), kRecordedRoot);
    ASSERT_TRUE(location);
    EXPECT_EQ(location->version, 1);
    EXPECT_EQ(location->path, "/");
    EXPECT_EQ(location->directory, "/dev/memcg");
}

TEST(CgroupLocation, FindsBothHierarchiesOnAHybridSystem) {
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
    CgroupLocations locations = locate_cgroups(kHybridCgroup, kHybridMounts);
    ASSERT_TRUE(locations.v1_memory);
    EXPECT_EQ(
        *locations.v1_memory,
        (CgroupLocation{1, "/process_api/e50e997298ed986834c90b3df22496a9",
                        "/sys/fs/cgroup/memory/process_api/e50e997298ed986834c90b3df22496a9"}));
    ASSERT_TRUE(locations.v2);
    EXPECT_EQ(*locations.v2, (CgroupLocation{2, "/", "/sys/fs/cgroup/unified"}));
    EXPECT_EQ(locate_memory_cgroup(kHybridCgroup, kHybridMounts), locations.v1_memory);
}

TEST(CgroupLocation, FindsOnlyTheV2GroupOnAUnifiedSystem) {
    constexpr const char* kCgroup =
        "0::/user.slice/user-1000.slice/user@1000.service/app.slice/vte-spawn-1.scope\n";
    constexpr const char* kMounts =
        "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
        "rw,nsdelegate,memory_recursiveprot\n";
    CgroupLocations locations = locate_cgroups(kCgroup, kMounts);
    EXPECT_EQ(locations.v1_memory, std::nullopt);
    ASSERT_TRUE(locations.v2);
    EXPECT_EQ(locations.v2->directory,
              "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/"
              "vte-spawn-1.scope");
    EXPECT_EQ(locate_memory_cgroup(kCgroup, kMounts), locations.v2);
}

TEST(CgroupLocation, AHierarchyMountedFromASubtreeIsFollowedBelowIt) {
    // A container without a cgroup namespace: its hierarchy's subtree is mounted as the root.
    auto location = locate_memory_cgroup(
        "5:memory:/docker/abc/pytest\n",
        "30 25 0:27 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n");
    ASSERT_TRUE(location);
    EXPECT_EQ(location->directory, "/sys/fs/cgroup/memory/pytest");
    EXPECT_FALSE(locate_memory_cgroup(
        "5:memory:/other/pytest\n",
        "30 25 0:27 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n"));
    // The same in the unified hierarchy.
    constexpr const char* kV2Subtree =
        "40 30 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n";
    auto v2 = locate_cgroups("0::/docker/abc/inner\n", kV2Subtree).v2;
    ASSERT_TRUE(v2);
    EXPECT_EQ(v2->directory, "/sys/fs/cgroup/inner");
    EXPECT_EQ(locate_cgroups("0::/elsewhere\n", kV2Subtree).v2, std::nullopt);
    // Of several mounts, one that shows the group.
    auto later = locate_memory_cgroup(
        "0::/elsewhere/inner\n",
        std::string(kV2Subtree) + "41 30 0:26 /elsewhere /mnt/cg rw - cgroup2 cgroup2 rw\n");
    ASSERT_TRUE(later);
    EXPECT_EQ(later->directory, "/mnt/cg/inner");
}

TEST(CgroupLocation, UnescapesBlanksInMountPoints) {
    auto location =
        locate_memory_cgroup("0::/a\n", "1 0 0:1 / /my\\040cgroups rw - cgroup2 cgroup2 rw\n");
    ASSERT_TRUE(location);
    EXPECT_EQ(location->directory, "/my cgroups/a");
    location = locate_memory_cgroup("0::/a\n", "40 30 0:26 / /mnt/c\\040g rw - cgroup2 none rw\n");
    ASSERT_TRUE(location);
    EXPECT_EQ(location->directory, "/mnt/c g/a");
}

TEST(CgroupLocation, ControllersSharingAHierarchyAreFound) {
    auto location = locate_memory_cgroup("3:cpu,memory:/x\n",
                                         "1 0 0:1 / /cg rw - cgroup cgroup rw,cpu,memory\n");
    ASSERT_TRUE(location);
    EXPECT_EQ(location->directory, "/cg/x");
}

TEST(CgroupLocation, IgnoresMemorylessV1Hierarchies) {
    auto locations = locate_cgroups("4:memory:/x\n",
                                    "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n");
    EXPECT_EQ(locations.v1_memory, std::nullopt);
}

TEST(CgroupLocation, NoMountNoCgroup) {
    EXPECT_FALSE(locate_memory_cgroup("0::/a\n", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"));
    EXPECT_FALSE(locate_memory_cgroup("", ""));
    EXPECT_FALSE(find_memory_cgroup(ProcFs(recorded("hybrid-v1")), 4242));
}

TEST(CgroupV1, UnlimitedSentinelMeansNoLimit) {
    EXPECT_EQ(parse_cgroup_limit("9223372036854771712\n", 1), MemoryLimit{});
    // The same sentinel with 64 KiB pages (aarch64).
    EXPECT_EQ(parse_cgroup_limit("9223372036854710272\n", 1), MemoryLimit{});
    EXPECT_EQ(parse_cgroup_limit("536870912\n", 1), MemoryLimit{536870912});
    EXPECT_FALSE(parse_cgroup_limit("max\n", 1));
}

TEST(CgroupV2, MaxMeansNoLimit) {
    EXPECT_EQ(parse_cgroup_limit("max\n", 2), MemoryLimit{});
    EXPECT_EQ(parse_cgroup_limit("8589934592\n", 2), MemoryLimit{8589934592});
    EXPECT_FALSE(parse_cgroup_limit("", 2));
}

TEST(CgroupOomKill, ReadsTheCounterOfBothVersions) {
    EXPECT_EQ(parse_oom_kill("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"), 3U);
    EXPECT_EQ(parse_oom_kill("low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n"), 1U);
    // Before 4.13, v1 did not count.
    EXPECT_FALSE(parse_oom_kill("oom_kill_disable 0\nunder_oom 0\n"));
}

TEST(CgroupMemory, TheTighterLimitWins) {
    EXPECT_EQ(tighter(MemoryLimit{}, MemoryLimit{5}), MemoryLimit{5});
    EXPECT_EQ(tighter(MemoryLimit{3}, MemoryLimit{}), MemoryLimit{3});
    EXPECT_EQ(tighter(MemoryLimit{3}, MemoryLimit{5}), MemoryLimit{3});
    EXPECT_EQ(tighter(MemoryLimit{}, MemoryLimit{}), MemoryLimit{});
}

TEST(CgroupV1, ReadsTheRecordedCgroup) {
    ProcFs fs(recorded("hybrid-v1"));
    CgroupMemoryReader reader(fs, *find_memory_cgroup(fs, kRecordedRoot));
    ASSERT_TRUE(reader.readable());
    CgroupMemory memory = reader.read();
    EXPECT_GT(memory.usage.value_or(0), 0U);
    EXPECT_EQ(memory.limit, MemoryLimit{});
    EXPECT_EQ(memory.oom_kill, 0U);
}

TEST(CgroupV2, ALimitAboveTheCgroupCountsThoughItsOwnIsMax) {
    ProcFs fs(recorded("unified-v2"));
    CgroupMemoryReader reader(fs, *find_memory_cgroup(fs, kRecordedRoot));
    ASSERT_TRUE(reader.readable());
    CgroupMemory memory = reader.read();
    EXPECT_EQ(memory.usage, 162865152U);
    EXPECT_EQ(memory.limit, MemoryLimit{8589934592});
    EXPECT_EQ(memory.oom_kill, 0U);
}

TEST(CgroupV2, ItsOwnLimitIsReadEverySample) {
    test_support::TempDir dir;
    test_support::write_file(dir.path(), "/cg/a/memory.max", "max\n");
    test_support::write_file(dir.path(), "/cg/a/b/memory.current", "100\n");
    test_support::write_file(dir.path(), "/cg/a/b/memory.max", "max\n");
    CgroupMemoryReader reader(ProcFs(dir.path()), CgroupLocation{2, "/a/b", "/cg/a/b"});
    EXPECT_EQ(reader.read().limit, MemoryLimit{});
    test_support::write_file(dir.path(), "/cg/a/b/memory.max", "4096\n");
    CgroupMemory memory = reader.read();
    EXPECT_EQ(memory.limit, MemoryLimit{4096});
    EXPECT_EQ(memory.usage, 100U);
    EXPECT_FALSE(memory.oom_kill);  // no memory.events here
}

TEST(CgroupMemory, AnUnreadableCgroupIsNotReadable) {
    ProcFs fs(recorded("android"));
    CgroupMemoryReader reader(fs, *find_memory_cgroup(fs, kRecordedRoot));
    EXPECT_FALSE(reader.readable());
    EXPECT_EQ(reader.read(), CgroupMemory{});
}

}  // namespace
}  // namespace blackbox::sample
