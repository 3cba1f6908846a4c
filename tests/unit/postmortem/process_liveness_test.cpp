// A run whose processes still run is not a crash; a run whose supervisor died says so; what
// pytest left running is reported. On a recorded run (tests/unit/data/runs/) made to name this
// very test process as its pytest, which is as alive as a process gets.

#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/postmortem/process_liveness.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/report/json_view.hpp>
#include <blackbox/report/text_view.hpp>
#include <blackbox/sample/proc_stat.hpp>

#include "../scratch_dir.hpp"
#include "../test_data.hpp"

namespace blackbox::postmortem {
namespace {

namespace fs = std::filesystem;

class FakeTable : public ProcessTable {
  public:
    std::map<long, std::string> stats;
    std::optional<std::string> boot = "b00t";
    std::optional<std::string> stat(long pid) const override {
        auto it = stats.find(pid);
        return it == stats.end() ? std::nullopt : std::optional(it->second);
    }
    std::optional<std::string> boot_id() const override { return boot; }
};

std::string stat_line(long pid, char state, std::uint64_t starttime) {
    return std::to_string(pid) + " (python3) " + state + " 1 " + std::to_string(pid) +
           " 1 0 -1 0 0 0 0 0 11 22 0 0 20 0 1 0 " + std::to_string(starttime) +
           " 100 55 1844 0 0\n";
}

TEST(ProcessLiveness, TheSamePidAndStartTimeInTheSameBootIsTheSameProcess) {
    FakeTable table;
    table.stats[42] = stat_line(42, 'S', 777);
    EXPECT_TRUE(still_running({42, "b00t", 777}, table));
    EXPECT_TRUE(still_running({42, std::nullopt, 777}, table));  // boot unknown: the start time
}

TEST(ProcessLiveness, AReusedPidIsNotTheRecordedProcess) {
    FakeTable table;
    table.stats[42] = stat_line(42, 'S', 999);
    EXPECT_FALSE(still_running({42, "b00t", 777}, table));
}

TEST(ProcessLiveness, AnotherBootOrMachineIsNotThisOne) {
    FakeTable table;
    table.stats[42] = stat_line(42, 'S', 777);
    EXPECT_FALSE(still_running({42, "another-boot", 777}, table));
}

TEST(ProcessLiveness, AZombieGoneOrUnverifiableProcessIsNotRunning) {
    FakeTable table;
    table.stats[42] = stat_line(42, 'Z', 777);
    EXPECT_FALSE(still_running({42, "b00t", 777}, table));
    EXPECT_FALSE(still_running({43, "b00t", 777}, table));
    table.stats[44] = stat_line(44, 'S', 777);
    EXPECT_FALSE(still_running({44, "b00t", std::nullopt}, table));  // an older journal
}

TEST(ProcessLiveness, ThisProcessIsRunning) {
    auto stat = sample::parse_proc_stat(base::read_file("/proc/self/stat").value_or(""));
    ASSERT_TRUE(stat);
    EXPECT_TRUE(still_running({::getpid(), std::nullopt, stat->starttime}, ProcessTable()));
    EXPECT_FALSE(still_running({::getpid(), std::nullopt, stat->starttime + 1}, ProcessTable()));
}

// A copy of the recorded "segfault_in_call" run as it looked before its end: no end.json, no
// faulthandler file (the test was still in its call).
class UnfinishedRun : public ::testing::Test {
  protected:
    void SetUp() override {
        fs::copy(blackbox::testing::test_data() / "runs" / "segfault_in_call", dir(),
                 fs::copy_options::recursive);
        fs::remove(dir() / "end.json");
        fs::remove_all(dir() / "faulthandler");
    }
    fs::path dir() const { return scratch_.path() / "run"; }

    // Makes the main journal speak for this test process: its stem and its start record name
    // our pid and start time.
    void name_this_process() const {
        const auto stat = sample::parse_proc_stat(base::read_file("/proc/self/stat").value_or(""));
        ASSERT_TRUE(stat);
        const auto old = dir() / "journal" / "1-main-28922.jsonl";
        std::string text = base::read_file(old).value_or("");
        const std::string pid = std::to_string(::getpid());
        const std::string from = "\"pid\":28922,";
        text.replace(text.find(from), from.size(),
                     "\"pid\":" + pid + ",\"starttime\":" + std::to_string(stat->starttime) + ",");
        fs::remove(old);
        std::ofstream(dir() / "journal" / ("1-main-" + pid + ".jsonl")) << text;
        fs::rename(dir() / "collected" / "1-main-28922.jsonl",
                   dir() / "collected" / ("1-main-" + pid + ".jsonl"));
    }

    void supervisor_record(const std::string& line) const {
        std::ofstream(dir() / "supervisor.jsonl", std::ios::app) << line << "\n";
    }

    testing::ScratchDir scratch_{"liveness"};
};

TEST_F(UnfinishedRun, ARunWhosePytestStillRunsIsRunningNotCrashed) {
    name_this_process();
    auto run = load_run(dir());
    EXPECT_EQ(run.status, "running");
    EXPECT_TRUE(run.crashes.empty());
    ASSERT_EQ(run.running.size(), 1u);
    EXPECT_EQ(run.running[0].role, "main");
    EXPECT_EQ(run.running[0].pid, ::getpid());
    EXPECT_EQ(run.running[0].nodeid, "test_a.py::test_segv");
    EXPECT_EQ(run.running[0].phase, "call");
    EXPECT_EQ(run.counts.crashed, 0u);
    const auto text = report::postmortem_text(run, report::TextOptions{});
    EXPECT_NE(text.find("running — 3 collected"), std::string::npos) << text;
    EXPECT_NE(text.find("still running: pytest (pid " + std::to_string(::getpid()) +
                        ") in test_a.py::test_segv (call)"),
              std::string::npos)
        << text;
    auto json = report::postmortem_json(run);
    EXPECT_EQ(json["status"], "running");
    EXPECT_EQ(json["running"][0]["nodeid"], "test_a.py::test_segv");
}

TEST_F(UnfinishedRun, ARunWhoseSupervisorStillRunsIsRunning) {
    const auto stat = sample::parse_proc_stat(base::read_file("/proc/self/stat").value_or(""));
    ASSERT_TRUE(stat);
    supervisor_record(R"({"ev":"supervisor","ns":1,"attempt":1,"pid":)" +
                      std::to_string(::getpid()) +
                      ",\"starttime\":" + std::to_string(stat->starttime) + "}");
    auto run = load_run(dir());
    EXPECT_EQ(run.status, "running");
    ASSERT_EQ(run.running.size(), 1u);
    EXPECT_EQ(run.running[0].role, "supervisor");
    // pytest itself is dead (its pid is not running): its death is still a crash.
    EXPECT_EQ(run.crashes.size(), 1u);
}

TEST_F(UnfinishedRun, ADeadSupervisorRecordedByItsSwitchMakesTheTestACasualty) {
    supervisor_record(R"({"ev":"supervisor","ns":1,"attempt":1,"pid":2000000000,"starttime":1})");
    supervisor_record(R"({"ev":"supervisor_lost","attempt":1,"pid":2000000000,)"
                      R"("ns":5132263700000,"group_killed":true,"cgroup_killed":2})");
    auto run = load_run(dir());
    EXPECT_EQ(run.status, "incomplete");
    ASSERT_TRUE(run.supervisor_lost);
    EXPECT_EQ(run.supervisor_lost->cgroup_killed, 2);
    ASSERT_EQ(run.crashes.size(), 1u);
    const auto& crash = run.crashes[0];
    EXPECT_EQ(crash.nodeid, "test_a.py::test_segv");
    EXPECT_EQ(crash.cause, "killed");
    EXPECT_TRUE(crash.collateral);
    EXPECT_NE(crash.evidence.find("the supervisor died"), std::string::npos) << crash.evidence;
    const auto text = report::postmortem_text(run, report::TextOptions{});
    EXPECT_NE(text.find("the supervisor (pid 2000000000) died during attempt 1 (killed?) and "
                        "pytest was stopped with it (2 processes of its cgroup killed)"),
              std::string::npos)
        << text;
    EXPECT_EQ(report::postmortem_json(run)["supervisor_lost"]["group_killed"], true);
}

TEST_F(UnfinishedRun, ProcessesLeftRunningAreReported) {
    // The recorded tests last under a millisecond: within the 10 ms a start time is known to,
    // several tests ran, so none is named.
    supervisor_record(
        R"({"ev":"leftovers","ns":2,"attempt":1,"processes":[)"
        R"({"pid":4242,"command":"sleep 1000","in_group":false,"stopped":true,"started_ns":5132263300000},)"
        R"({"pid":4243,"command":"daemon","in_group":true,"stopped":false,"started_ns":1}]})");
    auto run = load_run(dir());
    ASSERT_EQ(run.left_running.size(), 2u);
    EXPECT_EQ(run.left_running[0].started_during, std::nullopt);
    EXPECT_EQ(run.left_running[1].started_during, std::nullopt);
    const auto text = report::postmortem_text(run, report::TextOptions{});
    EXPECT_NE(text.find("left running 2 processes when pytest ended, 1 of them could not be "
                        "stopped: 4242 sleep 1000 (had left pytest's process group), 4243 "
                        "daemon (STILL RUNNING: it survived SIGKILL)"),
              std::string::npos)
        << text;
    auto json = report::postmortem_json(run);
    EXPECT_EQ(json["left_running"][0]["pid"], 4242);
    EXPECT_TRUE(json["left_running"][0]["started_during"].is_null());
    EXPECT_EQ(json["left_running"][1]["stopped"], false);
}

}  // namespace
}  // namespace blackbox::postmortem
