// The crashed-tests log: pytest-abort's JSONL lines from the RunModel, the run directory's file
// and appends to a user's log.

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/error.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/report/crashed_tests_log.hpp>

#include "../scratch_dir.hpp"
#include "../test_data.hpp"

namespace blackbox::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using postmortem::Crash;
using postmortem::RunModel;

constexpr std::int64_t kSecond = 1'000'000'000;

using TempDir = testing::ScratchDir;

// Local time is UTC while alive, so times can be compared as text.
class UtcTime {
  public:
    UtcTime() {
        const char* tz = std::getenv("TZ");
        if (tz != nullptr) {
            saved_ = tz;
        }
        ::setenv("TZ", "UTC", 1);
        ::tzset();
    }
    ~UtcTime() {
        if (saved_) {
            ::setenv("TZ", saved_->c_str(), 1);
        } else {
            ::unsetenv("TZ");
        }
        ::tzset();
    }
    UtcTime(const UtcTime&) = delete;
    UtcTime& operator=(const UtcTime&) = delete;

  private:
    std::optional<std::string> saved_;
};

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<json> parse_lines(const std::string& text) {
    std::vector<json> objects;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        objects.push_back(json::parse(line));
    }
    return objects;
}

// Wall clock 1,000,000 s after the epoch when the monotonic clock read 500 s.
CrashedTestsLogOptions fixed_clocks() {
    CrashedTestsLogOptions options;
    options.gpu_id = "2";
    options.now_wall_ns = 1'000'000 * kSecond;
    options.now_ns = 500 * kSecond;
    return options;
}

Crash segfault_in_call(const std::string& nodeid) {
    Crash crash;
    crash.nodeid = nodeid;
    crash.phase = "call";
    crash.signal = SIGSEGV;
    crash.cause = "segfault";
    crash.pid = 4242;
    crash.since_ns = 400 * kSecond;
    postmortem::MemoryPoint at;
    at.ns = 401 * kSecond + 250'000'000;  // 1.25 s into the call, 98.75 s before "now"
    at.tree_rss = 1 << 20;
    crash.memory_at = at;
    return crash;
}

TEST(CrashedTestsLog, ALineHasPytestAbortsKeysInItsOrder) {
    UtcTime utc;
    RunModel run;
    run.crashes.push_back(segfault_in_call("tests/test_x.py::TestY::test_z[a-1]"));
    auto lines = crashed_tests_lines(run, fixed_clocks());
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_EQ(lines[0],
              "{\"test_name\": \"test_z[a-1]\", \"test_class\": \"TestY\", "
              "\"nodeid\": \"tests/test_x.py::TestY::test_z[a-1]\", "
              "\"reason\": \"Test crashed in the call phase: segmentation fault (SIGSEGV, signal "
              "11)\", \"crash_time\": \"1970-01-12T13:45:01.250000\", \"duration\": 1.25, "
              "\"gpu_id\": \"2\", \"pid\": \"4242\", \"source\": \"blackbox\", "
              "\"logged_at\": \"1970-01-12T13:46:40.000000\"}\n");
}

TEST(CrashedTestsLog, AWorkersCrashNamesItsWorkerAsSource) {
    RunModel run;
    Crash crash = segfault_in_call("t.py::test_f");
    crash.worker = "gw1";
    crash.phase = "teardown";
    crash.fixture = "db";
    crash.signal = SIGKILL;
    crash.cause = "oom";
    run.crashes.push_back(crash);
    auto line = json::parse(crashed_tests_lines(run, fixed_clocks()).at(0));
    EXPECT_EQ(line["source"], "xdist:gw1");
    EXPECT_EQ(line["test_name"], "test_f");
    EXPECT_TRUE(line["test_class"].is_null());
    EXPECT_EQ(line["reason"],
              "Test crashed in the teardown phase (fixture db): killed by the kernel's OOM killer "
              "(SIGKILL, signal 9), in xdist worker gw1");
}

TEST(CrashedTestsLog, AnExitSaysItsCodeAndAnUnknownDeathStaysVague) {
    Crash crash = segfault_in_call("t.py::test_f");
    crash.signal.reset();
    crash.exit_code = 3;
    crash.cause = "exit";
    EXPECT_EQ(crash_reason(crash),
              "Test crashed in the call phase: the process exited with code 3");
    crash.exit_code.reset();
    crash.cause = "unknown";
    crash.phase = "setup";
    EXPECT_EQ(crash_reason(crash), "Test crashed in the setup phase: the process died");
}

TEST(CrashedTestsLog, OnlyTestsThatCrashedGetALine) {
    RunModel run;
    Crash collecting = segfault_in_call("tests/test_bad.py");
    collecting.phase = "collect";
    collecting.module = "tests/test_bad.py";
    Crash between = segfault_in_call("t.py::test_before");
    between.phase = "session";
    between.stage = "between_tests";
    Crash startup = segfault_in_call("t.py::x");
    startup.nodeid.reset();
    startup.phase = "session";
    Crash bystander = segfault_in_call("t.py::test_bystander");
    bystander.worker = "gw0";
    bystander.collateral = true;
    run.crashes = {collecting, between, startup, bystander, segfault_in_call("t.py::test_it")};
    auto lines = crashed_tests_lines(run, fixed_clocks());
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_EQ(json::parse(lines[0])["nodeid"], "t.py::test_it");
}

TEST(CrashedTestsLog, DurationIsNullWithoutTheDyingProcesssLastSample) {
    UtcTime utc;
    RunModel run;
    Crash unsampled = segfault_in_call("t.py::test_a");
    unsampled.memory_at.reset();
    Crash before_phase = segfault_in_call("t.py::test_b");  // died before the next sample
    before_phase.memory_at->ns = before_phase.since_ns - 10'000'000;
    Crash no_phase_start = segfault_in_call("t.py::test_c");
    no_phase_start.since_ns = 0;
    run.crashes = {unsampled, before_phase, no_phase_start};
    auto lines = crashed_tests_lines(run, fixed_clocks());
    ASSERT_EQ(lines.size(), 3U);
    for (const auto& text : lines) {
        EXPECT_TRUE(json::parse(text)["duration"].is_null()) << text;
    }
    // The crash time is when the process was last known alive: the phase's start here.
    EXPECT_EQ(json::parse(lines[0])["crash_time"], "1970-01-12T13:45:00.000000");
    EXPECT_EQ(json::parse(lines[1])["crash_time"], "1970-01-12T13:45:00.000000");
    // Knowing neither, it is when the death was detected (as pytest-abort's).
    Crash unknown = unsampled;
    unknown.since_ns = 0;
    run.crashes = {unknown};
    EXPECT_EQ(json::parse(crashed_tests_lines(run, fixed_clocks()).at(0))["crash_time"],
              "1970-01-12T13:46:40.000000");
}

TEST(CrashedTestsLog, NodeIdParts) {
    EXPECT_EQ(test_name_of("t.py::TestA::test_b[x::y]"), "test_b[x::y]");
    EXPECT_EQ(test_class_of("t.py::TestA::test_b[x::y]"), "TestA");
    EXPECT_EQ(test_name_of("a/t.py::TestO::TestI::test_b"), "test_b");
    EXPECT_EQ(test_class_of("a/t.py::TestO::TestI::test_b"), "TestO::TestI");
    EXPECT_EQ(test_name_of("t.py::test_f[::]"), "test_f[::]");
    EXPECT_EQ(test_class_of("t.py::test_f[::]"), std::nullopt);
    EXPECT_EQ(test_name_of("t.py"), "t.py");
    EXPECT_EQ(test_class_of("t.py"), std::nullopt);
}

TEST(CrashedTestsLog, GpuIdComesFromHipVisibleDevicesElseUnknown) {
    RunModel run;
    run.crashes.push_back(segfault_in_call("t.py::test_f"));
    const char* saved = std::getenv("HIP_VISIBLE_DEVICES");
    std::optional<std::string> before = saved ? std::optional<std::string>(saved) : std::nullopt;
    ::setenv("HIP_VISIBLE_DEVICES", "0,1", 1);
    EXPECT_EQ(json::parse(crashed_tests_lines(run).at(0))["gpu_id"], "0,1");
    ::unsetenv("HIP_VISIBLE_DEVICES");
    EXPECT_EQ(json::parse(crashed_tests_lines(run).at(0))["gpu_id"], "unknown");
    if (before) {
        ::setenv("HIP_VISIBLE_DEVICES", before->c_str(), 1);
    }
}

TEST(CrashedTestsLog, TheRunDirectoryFileExistsEvenWithoutCrashes) {
    TempDir dir;
    RunModel run;
    write_crashed_tests_log(run, dir / kCrashedTestsLogName, fixed_clocks());
    EXPECT_EQ(slurp(dir / kCrashedTestsLogName), "");
    run.crashes = {segfault_in_call("t.py::test_a"), segfault_in_call("t.py::test_b")};
    run.crashes[1].worker = "gw3";
    write_crashed_tests_log(run, dir / kCrashedTestsLogName, fixed_clocks());
    auto lines = parse_lines(slurp(dir / kCrashedTestsLogName));
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(lines[0]["nodeid"], "t.py::test_a");
    EXPECT_EQ(lines[1]["source"], "xdist:gw3");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir / ""), fs::directory_iterator()), 1);
}

TEST(CrashedTestsLog, AppendingMakesTheDirectoryAndNeverRepeatsACrash) {
    TempDir dir;
    auto log = dir / "logs/deep/crashed_tests.jsonl";
    RunModel run;
    run.crashes.push_back(segfault_in_call("t.py::test_a"));
    EXPECT_EQ(append_crashed_tests_log(run, log, fixed_clocks()), 1U);
    EXPECT_EQ(append_crashed_tests_log(run, log, fixed_clocks()), 0U);
    run.crashes.push_back(segfault_in_call("t.py::test_a"));
    run.crashes.back().pid = 777;  // the same test crashed again in a later attempt
    EXPECT_EQ(append_crashed_tests_log(run, log, fixed_clocks()), 1U);
    auto lines = parse_lines(slurp(log));
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(lines[1]["pid"], "777");
}

TEST(CrashedTestsLog, AppendingKeepsWhatOthersWroteAndSkipsWhatTheyLogged) {
    TempDir dir;
    auto log = dir / "crashed.jsonl";
    {
        std::ofstream out(log);
        // The xdist controller's line for gw0's crash (pid of the worker), another run's line
        // from pytest-abort itself, a line without a pid, garbage and a torn last line.
        out << R"({"test_name": "test_w", "nodeid": "t.py::test_w", "pid": "4242", )"
               R"("source": "xdist:gw0"})"
            << "\n"
            << R"({"nodeid": "t.py::test_old", "pid": "1", "source": "xdist:gw5"})"
            << "\n"
            << R"({"nodeid": "t.py::test_np", "source": "xdist:gw1"})"
            << "\n"
            << "not json\n"
            << R"({"nodeid": "t.py::torn)";
    }
    RunModel run;
    Crash worker = segfault_in_call("t.py::test_w");
    worker.worker = "gw0";
    Crash no_pid_line = segfault_in_call("t.py::test_np");
    no_pid_line.worker = "gw1";
    no_pid_line.pid = 99;
    run.crashes = {worker, no_pid_line, segfault_in_call("t.py::test_serial")};
    EXPECT_EQ(append_crashed_tests_log(run, log, fixed_clocks()), 1U);
    auto text = slurp(log);
    EXPECT_NE(text.find("not json\n"), std::string::npos);
    auto last = json::parse(text.substr(text.rfind("\n{") + 1));
    EXPECT_EQ(last["nodeid"], "t.py::test_serial");
    EXPECT_EQ(last["source"], "blackbox");
}

TEST(CrashedTestsLog, AnUnwritableLogIsAnError) {
    TempDir dir;
    fs::create_directories(dir / "a_directory");
    RunModel run;
    run.crashes.push_back(segfault_in_call("t.py::test_a"));
    EXPECT_THROW(append_crashed_tests_log(run, dir / "a_directory", fixed_clocks()), Error);
    // Nothing to append: nothing is opened.
    EXPECT_EQ(append_crashed_tests_log(RunModel{}, dir / "a_directory", fixed_clocks()), 0U);
}

TEST(CrashedTestsLog, LocalIsoTimeHasMicroseconds) {
    UtcTime utc;
    EXPECT_EQ(local_iso_time(1'768'435'199'123'456'789), "2026-01-14T23:59:59.123456");
    EXPECT_EQ(local_iso_time(0), "1970-01-01T00:00:00.000000");
}

fs::path recorded(const std::string& name) {
    return blackbox::testing::test_data() / "runs" / name;
}

TEST(CrashedTestsLog, RecordedSerialSegfault) {
    auto run = postmortem::load_run(recorded("segfault_in_call"));
    auto lines = crashed_tests_lines(run, fixed_clocks());
    ASSERT_EQ(lines.size(), 1U);
    auto line = json::parse(lines[0]);
    ASSERT_EQ(run.crashes.size(), 1U);
    EXPECT_EQ(line["nodeid"], *run.crashes[0].nodeid);
    EXPECT_EQ(line["source"], "blackbox");
    EXPECT_EQ(line["pid"], std::to_string(run.crashes[0].pid));
    EXPECT_NE(line["reason"].get<std::string>().find("segmentation fault (SIGSEGV"),
              std::string::npos);
}

TEST(CrashedTestsLog, RecordedXdistWorkerSegfault) {
    auto run = postmortem::load_run(recorded("xdist_worker_segfault"));
    auto lines = crashed_tests_lines(run, fixed_clocks());
    ASSERT_EQ(lines.size(), 1U);
    auto line = json::parse(lines[0]);
    ASSERT_TRUE(run.crashes.at(0).worker);
    EXPECT_EQ(line["source"], "xdist:" + *run.crashes[0].worker);
    EXPECT_EQ(line["nodeid"], *run.crashes[0].nodeid);
}

}  // namespace
}  // namespace blackbox::report
