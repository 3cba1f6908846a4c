// The kernel's reports of OOM kills, on records of /dev/kmsg recorded here (6.18) and written
// after 4.x, 5.x, 6.1 and Android reports (tests/unit/data/limit/README.md).

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include <blackbox/limit/kernel_log.hpp>
#include <blackbox/limit/oom_report.hpp>

#include "../test_data.hpp"

namespace blackbox::limit {
namespace {

std::vector<KernelRecord> recorded(const std::string& name) {
    std::ifstream in(blackbox::testing::test_data().string() + "/limit/" + name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_FALSE(text.str().empty()) << name;
    return parse_kmsg(text.str());
}

TEST(KernelLogRecords, SplitsHeaderAndMessage) {
    auto records = parse_kmsg(
        "3,418,6301592346,-;Memory cgroup out of memory: Killed process 4084 (python3)\n"
        " SUBSYSTEM=memory\n"
        "12,419,6301592400,c,more;from a process\n"
        "garbage without a header\n"
        "6,x,1,-;bad sequence\n");
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0],
              (KernelRecord{0, 3, 418, 6301592346,
                            "Memory cgroup out of memory: Killed process 4084 (python3)"}));
    EXPECT_EQ(records[1].facility, 1);
    EXPECT_EQ(records[1].level, 4);
    EXPECT_EQ(records[1].message, "from a process");
}

TEST(OomReport, FindsTheCgroupKillRecordedOnThisMachine) {
    auto kills = oom_kills_in(recorded("kmsg-6.18-memcg-oom.txt"));
    ASSERT_EQ(kills.size(), 1u);
    EXPECT_EQ(kills[0].pid, 4084);
    EXPECT_EQ(kills[0].comm, "python3");
    EXPECT_TRUE(kills[0].cgroup);
    EXPECT_EQ(kills[0].message.rfind("Memory cgroup out of memory: Killed process 4084 (python3) "
                                     "total-vm:82116kB",
                                     0),
              0u);
}

TEST(OomReport, FindsAMachineWideKillAndIgnoresForgedRecords) {
    auto kills = oom_kills_in(recorded("kmsg-5.15-global-oom.txt"));
    ASSERT_EQ(kills.size(), 1u);  // the facility-1 record naming 31300 is a process's, not ours
    EXPECT_EQ(kills[0].pid, 31337);
    EXPECT_EQ(kills[0].comm, "python3");
    EXPECT_FALSE(kills[0].cgroup);
    EXPECT_EQ(kills[0].message.rfind("Out of memory: Killed process 31337 (python3)", 0), 0u);
}

TEST(OomReport, ListsEveryProcessOfAnOomGroupKill) {
    auto kills = oom_kills_in(recorded("kmsg-6.1-oom-group.txt"));
    ASSERT_EQ(kills.size(), 3u);
    EXPECT_EQ(kills[0].pid, 4301);
    EXPECT_EQ(kills[1].pid, 4242);
    EXPECT_EQ(kills[2].pid, 4300);
    for (const auto& kill : kills) {
        EXPECT_TRUE(kill.cgroup);
        EXPECT_EQ(kill.comm, "python3");
    }
}

TEST(OomReport, TakesTheKilledChildNotTheChosenParentOnOldKernels) {
    auto kills = oom_kills_in(recorded("kmsg-4.14-global-oom.txt"));
    ASSERT_EQ(kills.size(), 1u);
    EXPECT_EQ(kills[0].pid, 2346);
    EXPECT_EQ(kills[0].comm, "pytest worker");
}

TEST(OomReport, FindsAndroidLowMemoryKills) {
    auto kills = oom_kills_in(recorded("kmsg-4.9-android-lmk.txt"));
    ASSERT_EQ(kills.size(), 1u);
    EXPECT_EQ(kills[0].pid, 12345);
    EXPECT_EQ(kills[0].comm, "com.termux");
}

TEST(OomReport, ReadsTheSummaryLineAlone) {
    auto kill = parse_oom_kill(
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
        "oom_memcg=/a,task_memcg=/a,task=odd,name,pid=77,uid=1000");
    ASSERT_TRUE(kill);
    EXPECT_EQ(kill->pid, 77);
    EXPECT_EQ(kill->comm, "odd,name");
    EXPECT_TRUE(kill->cgroup);
}

TEST(OomReport, KeepsNamesWithParentheses) {
    auto kill = parse_oom_kill(
        "Out of memory: Killed process 9 (a (b) c) total-vm:1kB, anon-rss:1kB, file-rss:0kB");
    ASSERT_TRUE(kill);
    EXPECT_EQ(kill->comm, "a (b) c");
}

TEST(OomReport, IgnoresOtherMessages) {
    EXPECT_FALSE(parse_oom_kill("python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL)"));
    EXPECT_FALSE(
        parse_oom_kill("Out of memory: Kill process 2345 (python) score 912 or "
                       "sacrifice child"));
    EXPECT_FALSE(parse_oom_kill("oom_reaper: reaped process 4084 (python3), now anon-rss:0kB"));
    EXPECT_FALSE(parse_oom_kill("Killed process x (y)"));
    EXPECT_FALSE(parse_oom_kill("oom-kill:constraint=CONSTRAINT_NONE,task=a,pid=,uid=0"));
}

}  // namespace
}  // namespace blackbox::limit
