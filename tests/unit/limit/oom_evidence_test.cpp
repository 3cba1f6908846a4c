// Telling an OOM kill from another SIGKILL: the kernel log's report, else the cgroup's counter.

#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include <blackbox/limit/oom_counter.hpp>
#include <blackbox/limit/oom_evidence.hpp>

#include "fake_cgroup_tree.hpp"

namespace blackbox::limit {
namespace {

using test_support::FakeCgroupTree;

OomKill kill_of(pid_t pid, const std::string& comm) {
    return OomKill{pid, comm, true,
                   "Memory cgroup out of memory: Killed process " + std::to_string(pid) + " (" +
                       comm + ") total-vm:82116kB"};
}

TEST(OomCounter, ReadsV1AndV2Counts) {
    EXPECT_EQ(parse_oom_kill_count("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"), 3u);
    EXPECT_EQ(parse_oom_kill_count("low 0\nhigh 5\nmax 9\noom 2\noom_kill 1\noom_group_kill 1\n"),
              1u);
    EXPECT_EQ(parse_oom_kill_count("oom_kill_disable 0\nunder_oom 0\n"), std::nullopt);
    EXPECT_EQ(parse_oom_kill_count("oom_kill x\n"), std::nullopt);
}

TEST(OomVerdict, TheLogNamingOurProcessIsTheEvidence) {
    OomObservation seen{true, "", {kill_of(111, "chrome"), kill_of(4084, "python3")}, 0, 2};
    auto verdict = judge_oom(seen, {4084, 4085});
    EXPECT_TRUE(verdict.oom);
    EXPECT_EQ(verdict.pid, 4084);
    EXPECT_EQ(verdict.evidence,
              "the kernel log says: Memory cgroup out of memory: Killed process 4084 (python3) "
              "total-vm:82116kB");
}

TEST(OomVerdict, AnyKillCountsWhenNoPidIsGiven) {
    OomObservation seen{true, "", {kill_of(7, "python3")}, std::nullopt, std::nullopt};
    auto verdict = judge_oom(seen, {});
    EXPECT_TRUE(verdict.oom);
    EXPECT_EQ(verdict.pid, 7);
}

TEST(OomVerdict, KillsOfOtherProcessesAreNotOurs) {
    OomObservation seen{true, "", {kill_of(111, "chrome")}, 0, 1};
    auto verdict = judge_oom(seen, {4084});
    EXPECT_FALSE(verdict.oom);
    EXPECT_EQ(verdict.evidence, "the kernel's OOM killer killed other processes: 111 (chrome)");
}

TEST(OomVerdict, ACounterRiseIsEvidenceWhenTheLogSaysNothing) {
    OomObservation seen{false, "cannot open /dev/kmsg: Permission denied", {}, 0, 1};
    auto verdict = judge_oom(seen, {4084});
    EXPECT_TRUE(verdict.oom);
    EXPECT_EQ(verdict.pid, std::nullopt);
    EXPECT_EQ(verdict.evidence,
              "the cgroup's oom_kill counter rose from 0 to 1 (the kernel log was not readable: "
              "cannot open /dev/kmsg: Permission denied)");
}

TEST(OomVerdict, SaysWhyItWasNotTheOomKiller) {
    auto verdict = judge_oom(OomObservation{true, "", {}, 2, 2}, {4084});
    EXPECT_FALSE(verdict.oom);
    EXPECT_EQ(verdict.evidence,
              "no sign of the OOM killer: the kernel log reports no OOM kill, and the cgroup's "
              "oom_kill counter stayed at 2");
}

class OomWatchOnFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        tree_->make_group(group_.directory);
        log_ = tree_->resolve("/dev/kmsg");
        tree_->put("/dev/kmsg", "3,1,1,-;Out of memory: Killed process 1 (before) total-vm:1kB\n");
    }

    void append_to_log(const std::string& text) { std::ofstream(log_, std::ios::app) << text; }

    std::shared_ptr<FakeCgroupTree> tree_ = std::make_shared<FakeCgroupTree>();
    CgroupDir group_{1, "/sys/fs/cgroup/memory/blackbox-1-0"};
    std::string log_;
};

TEST_F(OomWatchOnFiles, SeesOnlyWhatIsLoggedAfterItStarts) {
    OomWatch watch(tree_, group_, log_);
    append_to_log(
        "6,2,2,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),task=python3,pid=42,uid=0\n"
        "3,3,3,-;Memory cgroup out of memory: Killed process 42 (python3) total-vm:9kB\n");
    tree_->put(group_.directory + "/memory.oom_control", "oom_kill_disable 0\noom_kill 1\n");
    auto seen = watch.observe(std::chrono::milliseconds(0));
    EXPECT_TRUE(seen.log_readable);
    ASSERT_EQ(seen.kills.size(), 1u);
    EXPECT_EQ(seen.kills[0].pid, 42);
    EXPECT_EQ(seen.count_before, 0u);
    EXPECT_EQ(seen.count_after, 1u);
    auto verdict = judge_oom(seen, {42});
    EXPECT_TRUE(verdict.oom);
    EXPECT_EQ(verdict.evidence,
              "the kernel log says: Memory cgroup out of memory: Killed process 42 (python3) "
              "total-vm:9kB");
}

TEST_F(OomWatchOnFiles, JoinsTheTwoLinesOfAKillReadInTwoGoes) {
    OomWatch watch(tree_, group_, log_);
    append_to_log(
        "6,2,2,-;oom-kill:constraint=CONSTRAINT_NONE,global_oom,task=py,pid=42,uid=0\n"
        "3,3,3,-;Out of memory: Killed process 42 (py) tot");
    EXPECT_EQ(watch.observe(std::chrono::milliseconds(0)).kills.size(), 1u);
    append_to_log("al-vm:9kB\n");
    auto seen = watch.observe(std::chrono::milliseconds(0));
    ASSERT_EQ(seen.kills.size(), 1u);
    EXPECT_EQ(seen.kills[0].message, "Out of memory: Killed process 42 (py) total-vm:9kB");
}

TEST_F(OomWatchOnFiles, WaitsABitForTheLogWhenTheCounterRose) {
    OomWatch watch(tree_, group_, log_);
    tree_->put(group_.directory + "/memory.oom_control", "oom_kill 1\n");
    auto start = std::chrono::steady_clock::now();
    auto seen = watch.observe(std::chrono::milliseconds(50));
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
    EXPECT_TRUE(seen.kills.empty());
    EXPECT_TRUE(judge_oom(seen, {42}).oom);
}

TEST_F(OomWatchOnFiles, WorksWithoutLogOrCounter) {
    OomWatch watch(tree_, std::nullopt, tree_->resolve("/dev/no-kmsg"));
    auto seen = watch.observe();
    EXPECT_FALSE(seen.log_readable);
    EXPECT_NE(seen.log_problem.find("No such file"), std::string::npos);
    EXPECT_FALSE(judge_oom(seen, {42}).oom);
}

}  // namespace
}  // namespace blackbox::limit
