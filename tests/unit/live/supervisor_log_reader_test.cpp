// supervisor.jsonl read back: what SupervisorLog wrote is what the post-mortem gets, in order,
// and a record it does not know is skipped.

#include <fstream>

#include <gtest/gtest.h>

#include <blackbox/live/supervisor_log.hpp>
#include <blackbox/live/supervisor_log_reader.hpp>
#include <blackbox/rundir/run_files.hpp>

#include "../scratch_dir.hpp"

namespace blackbox::live {
namespace {

TEST(SupervisorLogReader, ReadsBackWhatTheSupervisorWrote) {
    testing::ScratchDir dir("supervisor-log");
    {
        SupervisorLog log(dir / rundir::kSupervisorLogFile);
        log.write("supervisor", {{"pid", 10}, {"start_ticks", 99}});
        log.write("limit", {{"bytes", 1024}});
        log.write("hang", {{"pid", 11}, {"attempt", 2}, {"phase", "call"}, {"after_s", 3.25}});
        log.write("dump", {{"pid", 11}, {"reason", "memory"}});
        log.write("oom", {{"pid", 12}, {"evidence", "oom_kill 0 -> 1"}});
        nlohmann::json left = {
            {"pid", 13}, {"command", "sleep 30"}, {"in_group", true}, {"started_ns", 5}};
        log.write("leftovers",
                  {{"attempt", 2}, {"processes", nlohmann::json::array({left, "not an object"})}});
        log.write("supervisor_lost", {{"pid", 10}, {"group_killed", true}, {"cgroup_killed", 3}});
    }
    auto facts = read_supervisor_log(dir.path());
    ASSERT_TRUE(facts.supervisor);
    EXPECT_EQ((*facts.supervisor)["pid"], 10);
    EXPECT_EQ(facts.memory_limit, 1024);
    ASSERT_EQ(facts.verdicts.size(), 2U);
    EXPECT_EQ(facts.verdicts[0].ev, "hang");
    EXPECT_EQ(facts.verdicts[0].attempt, 2);
    EXPECT_EQ(facts.verdicts[0].evidence,
              "the hang watchdog killed it after its call had run for 3.2 s");
    EXPECT_EQ(facts.verdicts[1].ev, "oom");
    EXPECT_EQ(facts.verdicts[1].evidence, "oom_kill 0 -> 1");
    ASSERT_EQ(facts.left_running.size(), 1U);
    EXPECT_EQ(facts.left_running[0].pid, 13);
    EXPECT_EQ(facts.left_running[0].attempt, 2);
    EXPECT_TRUE(facts.left_running[0].in_group);
    EXPECT_FALSE(facts.left_running[0].stopped);
    EXPECT_EQ(facts.left_running[0].started_ns, 5);
    ASSERT_TRUE(facts.supervisor_lost);
    EXPECT_TRUE(facts.supervisor_lost->group_killed);
    EXPECT_EQ(facts.supervisor_lost->cgroup_killed, 3);
}

TEST(SupervisorLogReader, AMissingFileSaysNothing) {
    testing::ScratchDir dir("supervisor-log");
    auto facts = read_supervisor_log(dir.path());
    EXPECT_TRUE(facts.verdicts.empty());
    EXPECT_FALSE(facts.supervisor);
    EXPECT_FALSE(facts.memory_limit);
}

}  // namespace
}  // namespace blackbox::live
