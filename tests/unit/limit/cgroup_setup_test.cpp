// Making and removing limited groups, on a fake cgroup tree (fake_cgroup_tree.hpp).

#include <cerrno>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/limit/cgroup_setup.hpp>
#include <blackbox/limit/owned_cgroup.hpp>

#include "fake_cgroup_tree.hpp"

namespace blackbox::limit {
namespace {

using test_support::FakeCgroupTree;

constexpr std::uint64_t kLimit = 64 * 1024 * 1024;
// No process has this pid (above the kernel's PID_MAX_LIMIT).
constexpr pid_t kDeadPid = 2'000'000'000;

class CgroupSetup : public ::testing::Test {
  protected:
    void SetUp() override {
        tree_->make_group(v1_.directory);
        tree_->make_group(v2_.directory);
        tree_->put(v2_.directory + "/cgroup.controllers", "cpu io memory pids\n");
    }

    bool exists(const std::string& path) const { return tree_->exists(path); }

    std::shared_ptr<FakeCgroupTree> tree_ = std::make_shared<FakeCgroupTree>();
    CgroupDir v1_{1, "/sys/fs/cgroup/memory/ci/job"};
    CgroupDir v2_{2, "/sys/fs/cgroup/unified/user.slice/app.slice"};
};

TEST_F(CgroupSetup, V1GroupLimitsMemoryAndSwap) {
    auto made = create_v1_group(tree_, v1_, kLimit, 4242);
    const std::string dir = made.group.dir().directory;
    EXPECT_EQ(dir.rfind("/sys/fs/cgroup/memory/ci/job/blackbox-4242-", 0), 0u);
    EXPECT_EQ(made.group.dir().version, 1);
    EXPECT_EQ(tree_->get(dir + "/memory.limit_in_bytes"), "67108864\n");
    EXPECT_EQ(tree_->get(dir + "/memory.memsw.limit_in_bytes"), "67108864\n");
    EXPECT_EQ(tree_->get(dir + "/memory.swappiness"), "60\n");  // untouched: memsw holds swap
    EXPECT_EQ(made.limit_bytes, kLimit);
    EXPECT_TRUE(made.swap_limited);
    EXPECT_TRUE(made.notes.empty());
}

TEST_F(CgroupSetup, V1WithoutSwapAccountingKeepsTheGroupOutOfSwap) {
    tree_->v1_files.erase("memory.memsw.limit_in_bytes");
    auto made = create_v1_group(tree_, v1_, kLimit, 4242);
    EXPECT_EQ(tree_->get(made.group.file("memory.swappiness")), "0\n");
    EXPECT_TRUE(made.swap_limited);
    ASSERT_EQ(made.notes.size(), 2u);
    EXPECT_NE(made.notes[0].find("does not account swap"), std::string::npos);
}

TEST_F(CgroupSetup, V1GroupThatCannotBeLimitedIsNotLeftBehind) {
    tree_->refuse_writes["memory.limit_in_bytes"] = EINVAL;
    try {
        create_v1_group(tree_, v1_, kLimit, 4242);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("memory.limit_in_bytes"), std::string::npos);
    }
    EXPECT_EQ(tree_->subdirectories(v1_.directory)->size(), 0u);
}

TEST_F(CgroupSetup, V1WithoutAParentGroupIsAnError) {
    CgroupDir missing{1, "/sys/fs/cgroup/memory/not-there"};
    EXPECT_THROW(create_v1_group(tree_, missing, kLimit, 4242), Error);
}

TEST_F(CgroupSetup, GroupNamesAreUniqueWithinAProcess) {
    auto a = create_v1_group(tree_, v1_, kLimit, 4242);
    auto b = create_v1_group(tree_, v1_, kLimit, 4242);
    EXPECT_NE(a.group.dir().directory, b.group.dir().directory);
}

TEST_F(CgroupSetup, DestructionRemovesTheGroup) {
    std::string dir;
    {
        auto made = create_v1_group(tree_, v1_, kLimit, 4242);
        dir = made.group.dir().directory;
        EXPECT_TRUE(exists(dir));
    }
    EXPECT_FALSE(exists(dir));
}

TEST_F(CgroupSetup, RemovesEmptyGroupsOfDeadSupervisorsOnly) {
    const std::string dead = "blackbox-" + std::to_string(kDeadPid) + "-0";
    const std::string dead_busy = "blackbox-" + std::to_string(kDeadPid) + "-1";
    const std::string alive = "blackbox-" + std::to_string(::getppid()) + "-0";
    tree_->make_group(v1_.directory + "/" + dead);
    tree_->make_group(v1_.directory + "/" + dead_busy);
    tree_->put(v1_.directory + "/" + dead_busy + "/cgroup.procs", "31337\n");
    tree_->make_group(v1_.directory + "/" + alive);
    tree_->make_group(v1_.directory + "/unrelated");

    auto made = create_v1_group(tree_, v1_, kLimit, 4242);
    EXPECT_FALSE(exists(v1_.directory + "/" + dead));
    EXPECT_TRUE(exists(v1_.directory + "/" + dead_busy));
    EXPECT_TRUE(exists(v1_.directory + "/" + alive));
    EXPECT_TRUE(exists(v1_.directory + "/unrelated"));
}

TEST_F(CgroupSetup, ReadsOwnersFromGroupNames) {
    EXPECT_EQ(group_owner("blackbox-1234-0"), 1234);
    EXPECT_EQ(group_owner("blackbox-1234-17"), 1234);
    EXPECT_EQ(group_owner("blackbox-1234"), std::nullopt);
    EXPECT_EQ(group_owner("blackbox--0"), std::nullopt);
    EXPECT_EQ(group_owner("blackbox-0-0"), std::nullopt);
    EXPECT_EQ(group_owner("blackbox-12a-0"), std::nullopt);
    EXPECT_EQ(group_owner("other-1234-0"), std::nullopt);
}

TEST_F(CgroupSetup, V2GroupSetsMaxSwapAndOomGroup) {
    tree_->put(v2_.directory + "/cgroup.subtree_control", "memory");
    auto made = create_v2_group(tree_, v2_, kLimit, 4242);
    const std::string dir = made.group.dir().directory;
    EXPECT_EQ(made.group.dir().version, 2);
    EXPECT_EQ(tree_->get(dir + "/memory.max"), "67108864\n");
    EXPECT_EQ(tree_->get(dir + "/memory.swap.max"), "0\n");
    EXPECT_EQ(tree_->get(dir + "/memory.oom.group"), "1\n");
    EXPECT_TRUE(made.swap_limited);
    EXPECT_TRUE(made.notes.empty());
}

TEST_F(CgroupSetup, V2EnablesTheControllerAndTakesItBack) {
    const std::string control = v2_.directory + "/cgroup.subtree_control";
    {
        auto made = create_v2_group(tree_, v2_, kLimit, 4242);
        EXPECT_EQ(tree_->get(control), "memory");
    }
    EXPECT_EQ(tree_->get(control), "");
    EXPECT_EQ(tree_->subdirectories(v2_.directory)->size(), 0u);
}

TEST_F(CgroupSetup, V2LeavesTheControllerWhileOtherGroupsUseIt) {
    const std::string control = v2_.directory + "/cgroup.subtree_control";
    {
        auto made = create_v2_group(tree_, v2_, kLimit, 4242);
        tree_->make_group(v2_.directory + "/someone-else");
    }
    EXPECT_EQ(tree_->get(control), "memory");
}

TEST_F(CgroupSetup, V2NeedsTheMemoryControllerDelegated) {
    tree_->put(v2_.directory + "/cgroup.controllers", "cpu io pids\n");
    try {
        create_v2_group(tree_, v2_, kLimit, 4242);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("not delegated"), std::string::npos);
    }
}

TEST_F(CgroupSetup, V2ExplainsTheNoInternalProcessesRule) {
    tree_->refuse_writes["cgroup.subtree_control"] = EBUSY;
    try {
        create_v2_group(tree_, v2_, kLimit, 4242);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("processes live in that group"),
                  std::string::npos);
    }
    EXPECT_EQ(tree_->subdirectories(v2_.directory)->size(), 0u);
}

TEST_F(CgroupSetup, V2WithoutSwapControllerSaysSo) {
    tree_->put(v2_.directory + "/cgroup.subtree_control", "memory");
    tree_->v2_files.erase("memory.swap.max");
    auto made = create_v2_group(tree_, v2_, kLimit, 4242);
    EXPECT_FALSE(made.swap_limited);
    ASSERT_EQ(made.notes.size(), 1u);
    EXPECT_NE(made.notes[0].find("may swap"), std::string::npos);
}

}  // namespace
}  // namespace blackbox::limit
