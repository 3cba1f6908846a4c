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
}

TEST(CgroupLocation, UnescapesBlanksInMountPoints) {
    auto location =
        locate_memory_cgroup("0::/a\n", "1 0 0:1 / /my\\040cgroups rw - cgroup2 cgroup2 rw\n");
    ASSERT_TRUE(location);
    EXPECT_EQ(location->directory, "/my cgroups/a");
}

TEST(CgroupLocation, ControllersSharingAHierarchyAreFound) {
    auto location = locate_memory_cgroup("3:cpu,memory:/x\n",
                                         "1 0 0:1 / /cg rw - cgroup cgroup rw,cpu,memory\n");
    ASSERT_TRUE(location);
    EXPECT_EQ(location->directory, "/cg/x");
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
