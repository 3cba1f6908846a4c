#include <chrono>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/journal/reader.hpp>
#include <blackbox/live/hang_watchdog.hpp>
#include <blackbox/live/journal_tail.hpp>
#include <blackbox/live/run_watch.hpp>
#include <blackbox/live/status_text.hpp>
#include <blackbox/live/supervisor_log.hpp>

namespace blackbox::live {
namespace {

namespace fs = std::filesystem;

class LiveTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("blackbox-live-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        for (const char* sub : {"journal", "collected", "faulthandler"}) {
            fs::create_directories(dir_ / sub);
        }
    }
    void TearDown() override { fs::remove_all(dir_); }

    void append(const fs::path& path, const std::string& text) {
        std::ofstream(path, std::ios::app | std::ios::binary) << text;
    }

    fs::path dir_;
};

TEST_F(LiveTest, JournalTailHandsOverCompleteLinesOnlyAndKeepsTheTornEnd) {
    auto path = dir_ / "tail.jsonl";
    JournalTail tail(path);
    std::vector<std::string> lines;
    auto collect = [&lines](std::string_view line) { lines.emplace_back(line); };
    EXPECT_EQ(tail.poll(collect, 100), 0U);  // not created yet
    append(path, "one\ntw");
    tail.poll(collect, 100);
    EXPECT_EQ(lines, std::vector<std::string>{"one"});
    append(path, "o\n" + std::string(500, 'x') + "\nthree\n");
    tail.poll(collect, 100);
    EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));  // overlong dropped
}

TEST_F(LiveTest, RunWatchFollowsWhatEachProcessIsDoing) {
    auto journal = dir_ / "journal" / "1-gw0-4242.jsonl";
    append(journal,
           "{\"ev\":\"start\",\"ns\":1,\"dump_signal\":12}\n"
           "{\"ev\":\"collection\",\"ns\":2,\"count\":3}\n"
           "{\"ev\":\"test\",\"ns\":3,\"nodeid\":\"t.py::a\"}\n");
    RunWatch watch(dir_);
    watch.refresh();
    ASSERT_EQ(watch.processes().size(), 1U);
    const auto& process = watch.processes()[0];
    EXPECT_EQ(process.files.role, "gw0");
    EXPECT_EQ(process.dump_signal, 12);
    EXPECT_EQ(process.last.nodeid, "t.py::a");
    EXPECT_EQ(watch.tests_collected(), 3U);
    append(journal,
           "{\"ev\":\"begin\",\"ns\":4,\"phase\":\"setup\"}\n"
           "{\"ev\":\"end\",\"ns\":5,\"phase\":\"setup\",\"outcome\":\"passed\"}\n"
           "{\"ev\":\"begin\",\"ns\":6,\"phase\":\"call\"}\n{\"ev\":\"garbage");
    watch.refresh();
    EXPECT_EQ(watch.processes()[0].last.phase, "call");
    EXPECT_EQ(watch.processes()[0].last.since_ns, 6);
    append(journal,
           "\n{\"ev\":\"end\",\"ns\":7,\"phase\":\"call\",\"outcome\":\"passed\"}\n"
           "{\"ev\":\"begin\",\"ns\":8,\"phase\":\"teardown\"}\n"
           "{\"ev\":\"end\",\"ns\":9,\"phase\":\"teardown\",\"outcome\":\"passed\"}\n");
    watch.refresh();
    EXPECT_EQ(watch.tests_done(), 1U);
    EXPECT_EQ(watch.processes()[0].last.activity, journal::InFlight::Activity::between_tests);
}

TEST_F(LiveTest, HangWatchdogDumpsKillsAndRecordsAnOverduePhase) {
    pid_t child = ::fork();
    if (child == 0) {
        ::execlp("sleep", "sleep", "30", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    auto stem = "1-main-" + std::to_string(child);
    auto now = base::monotonic_ns();
    append(dir_ / "journal" / (stem + ".jsonl"),
           "{\"ev\":\"start\",\"ns\":1,\"dump_signal\":" + std::to_string(SIGUSR2) +
               "}\n{\"ev\":\"test\",\"ns\":2,\"nodeid\":\"t.py::stuck\"}\n"
               "{\"ev\":\"begin\",\"ns\":" +
               std::to_string(now - 5'000'000'000) + ",\"phase\":\"call\"}\n");
    append(dir_ / "faulthandler" / (stem + ".txt"), "");
    SupervisorLog log(dir_ / "supervisor.jsonl");
    RunWatch watch(dir_);
    HangWatchdog watchdog(std::chrono::seconds(2), log);
    watch.refresh();
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (::waitpid(child, &status, WNOHANG) == 0 && std::chrono::steady_clock::now() < deadline) {
        watchdog.check(watch, base::monotonic_ns());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(WIFSIGNALED(status));  // the dump signal (sleep has no handler) or SIGKILL
    std::string marker;
    std::getline(std::ifstream(dir_ / "faulthandler" / (stem + ".txt")), marker);
    EXPECT_EQ(marker.rfind("# blackbox: hang: the call of t.py::stuck has run for ", 0), 0U)
        << marker;
    auto verdicts = journal::parse_journal(*base::read_file(dir_ / "supervisor.jsonl"), "s");
    ASSERT_EQ(verdicts.records.size(), 1U);
    EXPECT_EQ(verdicts.records[0]["ev"], "hang");
    EXPECT_EQ(verdicts.records[0]["nodeid"], "t.py::stuck");
    EXPECT_EQ(verdicts.records[0]["pid"], child);
}

}  // namespace
}  // namespace blackbox::live

namespace blackbox::live {
namespace {

TEST_F(LiveTest, StatusTextShowsProgressTheTestInFlightAndMemory) {
    append(dir_ / "journal" / "1-main-7.jsonl",
           "{\"ev\":\"start\",\"ns\":1}\n{\"ev\":\"collection\",\"ns\":2,\"count\":40}\n"
           "{\"ev\":\"test\",\"ns\":3,\"nodeid\":\"tests/test_big.py::test_allocates[large]\"}\n"
           "{\"ev\":\"begin\",\"ns\":1000000000,\"phase\":\"call\"}\n");
    RunWatch watch(dir_);
    watch.refresh();
    MemoryNow memory{std::uint64_t{3} << 29, std::uint64_t{20} << 30, std::uint64_t{3} << 30};
    auto text = status_text(watch, memory, 4'000'000'000, 200);
    EXPECT_EQ(text,
              "blackbox 0/40 tests  tests/test_big.py::test_allocates[large] 3s  rss 1.5 GiB of "
              "3 GiB  avail 20 GiB");
    EXPECT_EQ(status_text(watch, memory, 4'000'000'000, 70),
              "blackbox 0/40 tests  …es[large] 3s  rss 1.5 GiB of 3 GiB  avail 20 GiB");
    EXPECT_EQ(status_text(watch, {}, 4'000'000'000, 12), "blackbox 0/4");
}

}  // namespace
}  // namespace blackbox::live
