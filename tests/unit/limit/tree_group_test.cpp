// The cgroup that follows the command's tree when no limit made one: where it is made, on a fake
// cgroup tree (fake_cgroup_tree.hpp), and for real (root or a delegated v2 group; skipped
// elsewhere, saying why): a member, whatever its process group, is killed through it.

#include <csignal>
#include <ctime>
#include <fstream>
#include <memory>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/limit/tree_group.hpp>

#include "fake_cgroup_tree.hpp"

namespace blackbox::limit {
namespace {

using test_support::FakeCgroupTree;

TEST(TreeGroup, IsMadeInTheUnifiedHierarchyWithoutAnyController) {
    auto tree = std::make_shared<FakeCgroupTree>();
    tree->make_group("/sys/fs/cgroup/unified/user.slice");
    tree->make_group("/sys/fs/cgroup/memory/ci");
    tree->put("/sys/fs/cgroup/unified/user.slice/cgroup.controllers", "");  // none delegated
    CgroupPlaces places{CgroupDir{1, "/sys/fs/cgroup/memory/ci"},
                        CgroupDir{2, "/sys/fs/cgroup/unified/user.slice"}};
    auto made = create_tree_group(tree, places, 4242);
    ASSERT_TRUE(made.group);
    EXPECT_EQ(made.group->dir().version, 2);
    EXPECT_EQ(
        made.group->dir().directory.rfind("/sys/fs/cgroup/unified/user.slice/blackbox-4242-", 0),
        0u);
    auto join = join_tree_group(*made.group);
    EXPECT_EQ(join.path, tree->resolve(made.group->dir().directory + "/cgroup.procs"));
    EXPECT_EQ(join.bytes, "0\n");
    EXPECT_FALSE(join.required);  // refused: the command runs outside it, the run goes on
}

TEST(TreeGroup, FallsBackToTheV1MemoryHierarchyWithNoLimit) {
    auto tree = std::make_shared<FakeCgroupTree>();
    tree->make_group("/sys/fs/cgroup/memory/ci");
    tree->refuse_writes.clear();
    CgroupPlaces places{CgroupDir{1, "/sys/fs/cgroup/memory/ci"},
                        CgroupDir{2, "/sys/fs/cgroup/unified/nowhere"}};  // mkdir fails: ENOENT
    auto made = create_tree_group(tree, places, 4242);
    ASSERT_TRUE(made.group);
    EXPECT_EQ(made.group->dir().version, 1);
    const auto limit = tree->get(made.group->dir().directory + "/memory.limit_in_bytes");
    EXPECT_EQ(limit, tree->v1_files.at("memory.limit_in_bytes"));  // untouched
    ASSERT_EQ(made.reasons.size(), 1u);
    EXPECT_EQ(made.reasons[0].rfind("cgroup v2: cannot create the cgroup", 0), 0u)
        << made.reasons[0];
}

TEST(TreeGroup, NoneWhereNoHierarchyIsOurs) {
    auto made = create_tree_group(std::make_shared<FakeCgroupTree>(), CgroupPlaces{}, 4242);
    EXPECT_FALSE(made.group);
    EXPECT_EQ(made.reasons, std::vector<std::string>{"no cgroup hierarchy of ours is mounted"});
}

TEST(TreeGroup, KillsAMemberThatLeftEveryGroupOfOurs) {
    auto fs = std::make_shared<const CgroupFs>("/");
    auto made = create_tree_group(fs, find_cgroups(*fs), ::getpid());
    if (!made.group) {
        std::string why;
        for (const auto& reason : made.reasons) {
            why += " " + reason;
        }
        GTEST_SKIP() << "no cgroup can be made here:" << why;
    }
    const std::string procs = made.group->file("cgroup.procs");
    const pid_t member = ::fork();
    if (member == 0) {
        std::ofstream(procs) << "0\n";
        ::setsid();
        ::execl("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ASSERT_GT(member, 0);
    for (int i = 0; i < 200 && made.group->members().empty(); ++i) {
        const timespec step{0, 5'000'000};
        ::nanosleep(&step, nullptr);
    }
    EXPECT_EQ(made.group->members(), std::vector<pid_t>{member});
    EXPECT_EQ(made.group->kill_members(), 1u);
    int status = 0;
    ASSERT_EQ(::waitpid(member, &status, 0), member);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    EXPECT_TRUE(made.group->remove().removed);
}

}  // namespace
}  // namespace blackbox::limit
