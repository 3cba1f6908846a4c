// A command that ran pytest more than once: each main process a session of its own, its xdist
// workers with it, and a node id both ran kept apart.

#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <blackbox/journal/process_files.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/postmortem/sessions.hpp>
#include <blackbox/report/junit_report.hpp>

#include "../scratch_dir.hpp"

namespace blackbox::postmortem {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

// One test's records, from `ns` on, with its call's outcome.
std::string test_records(const std::string& nodeid, long ns, const std::string& outcome) {
    std::string text = fmt::format(R"({{"ev":"test","ns":{},"nodeid":"{}"}})"
                                   "\n",
                                   ns, nodeid);
    const char* phases[] = {"setup", "call", "teardown"};
    for (int i = 0; i < 3; ++i) {
        std::string phase_outcome = i == 1 ? outcome : "passed";
        text +=
            fmt::format(R"({{"ev":"begin","ns":{},"phase":"{}"}})"
                        "\n"
                        R"({{"ev":"end","ns":{},"phase":"{}","outcome":"{}","dur":0.001}})"
                        "\n",
                        ns + 10 + i * 10, phases[i], ns + 15 + i * 10, phases[i], phase_outcome);
    }
    return text;
}

std::string start(long ns, long pid, long ppid, const std::string& worker) {
    return fmt::format(
        R"({{"ev":"start","ns":{},"v":1,"wall":1795324148.5,"pid":{},"ppid":{},"worker":{},)"
        R"("attempt":1,"argv":["pytest"],"args":[],"cwd":"/p","rootdir":"/p"}})"
        "\n",
        ns, pid, ppid, worker.empty() ? "null" : "\"" + worker + "\"");
}

std::string session_start(long ns, bool controller) {
    return fmt::format(R"({{"ev":"session_start","ns":{},"controller":{}}})"
                       "\n",
                       ns, controller ? "true" : "false");
}

std::string end(long ns, int status) {
    return fmt::format(R"({{"ev":"session_end","ns":{},"exitstatus":{}}})"
                       "\n"
                       R"({{"ev":"exit","ns":{}}})"
                       "\n",
                       ns, status, ns + 1);
}

const std::string kItem = R"({"nodeid":"t.py::test_x","file":"t.py","line":1})"
                          "\n";

// Session 1: pid 900, serial, test_x passes. Session 2 (a lower pid: the order is the
// sessions', not the pids'): an xdist controller (pid 100) whose worker gw0 (pid 300) fails
// test_x. A worker of no known controller would join the first session.
void write_two_sessions(const fs::path& dir) {
    write(dir / "journal" / "1-main-900.jsonl",
          start(1000, 900, 1, "") + session_start(1100, false) +
              test_records("t.py::test_x", 1200, "passed") + end(1400, 0));
    write(dir / "collected" / "1-main-900.jsonl", kItem);
    write(dir / "journal" / "1-main-100.jsonl",
          start(2000, 100, 1, "") + session_start(2100, true) + end(3000, 1));
    write(dir / "collected" / "1-main-100.jsonl", "");
    write(dir / "journal" / "1-gw0-300.jsonl",
          start(2200, 300, 100, "gw0") + session_start(2300, false) +
              test_records("t.py::test_x", 2400, "failed") + end(2900, 1));
    write(dir / "collected" / "1-gw0-300.jsonl", kItem);
}

TEST(Sessions, EachMainProcessIsASessionInTheOrderTheyStartedWithItsWorkers) {
    testing::ScratchDir dir;
    write_two_sessions(dir.path());
    auto files = journal::find_process_files(dir.path());
    ASSERT_EQ(files.size(), 3U);
    EXPECT_EQ(number_sessions(files), 2U);
    ASSERT_EQ(files.size(), 3U);
    EXPECT_EQ(files[0].pid, 900);
    EXPECT_EQ(files[0].session, 0);
    EXPECT_EQ(files[1].pid, 100);
    EXPECT_EQ(files[1].session, 1);
    EXPECT_EQ(files[2].pid, 300);
    EXPECT_EQ(files[2].session, 1);
    EXPECT_EQ(session_suffix(2, 1), " (session 2)");
    EXPECT_EQ(session_suffix(1, 0), "");
}

TEST(Sessions, ANodeIdRunByTwoSessionsIsTwoTestsCountedEach) {
    testing::ScratchDir dir;
    write_two_sessions(dir.path());
    auto run = load_run(dir.path());
    EXPECT_EQ(run.sessions, 2U);
    ASSERT_EQ(run.tests.size(), 2U);
    EXPECT_EQ(run.tests[0].nodeid, "t.py::test_x");
    EXPECT_EQ(run.tests[0].session, 0);
    EXPECT_EQ(run.tests[0].outcome, "passed");
    EXPECT_FALSE(run.tests[0].worker);
    EXPECT_EQ(run.tests[1].nodeid, "t.py::test_x");
    EXPECT_EQ(run.tests[1].session, 1);
    EXPECT_EQ(run.tests[1].outcome, "failed");
    EXPECT_EQ(run.tests[1].worker, "gw0");
    EXPECT_EQ(run.counts.collected, 2U);
    EXPECT_EQ(run.counts.passed, 1U);
    EXPECT_EQ(run.counts.failed, 1U);
    auto xml = report::junit_xml(run);
    EXPECT_NE(xml.find(R"x(name="pytest (session 1)")x"), std::string::npos) << xml;
    EXPECT_NE(xml.find(R"x(name="pytest (session 2)")x"), std::string::npos) << xml;
}

TEST(Sessions, ARunFailsWhenAnEarlierSessionFailedThoughTheLastPassed) {
    testing::ScratchDir dir;
    write(dir / "journal" / "1-main-900.jsonl",
          start(1000, 900, 1, "") + session_start(1100, false) +
              test_records("t.py::test_x", 1200, "failed") + end(1400, 1));
    write(dir / "collected" / "1-main-900.jsonl", kItem);
    write(dir / "journal" / "1-main-100.jsonl",
          start(2000, 100, 1, "") + session_start(2100, false) +
              test_records("t.py::test_x", 2200, "passed") + end(2400, 0));
    write(dir / "collected" / "1-main-100.jsonl", kItem);
    auto run = load_run(dir.path());
    EXPECT_EQ(run.sessions, 2U);
    EXPECT_EQ(run.pytest_exitstatus, 0);  // the last session's
    EXPECT_EQ(run.status, "failed");
}

TEST(Sessions, ARunOfOneSessionKeepsOneSuiteNamedPytest) {
    testing::ScratchDir dir;
    write(dir / "journal" / "1-main-900.jsonl",
          start(1000, 900, 1, "") + session_start(1100, false) +
              test_records("t.py::test_x", 1200, "passed") + end(1400, 0));
    write(dir / "collected" / "1-main-900.jsonl", kItem);
    auto run = load_run(dir.path());
    EXPECT_EQ(run.sessions, 1U);
    ASSERT_EQ(run.tests.size(), 1U);
    auto xml = report::junit_xml(run);
    EXPECT_NE(xml.find(R"(<testsuite name="pytest")"), std::string::npos) << xml;
    EXPECT_EQ(xml.find("session"), std::string::npos) << xml;
}

}  // namespace
}  // namespace blackbox::postmortem
