// Attribution on journals recorded from real pytest runs (tests/unit/data/runs/, see its README).

#include <csignal>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/report/json_view.hpp>
#include <blackbox/report/text_view.hpp>

#include "../scratch_dir.hpp"
#include "../test_data.hpp"

namespace blackbox::postmortem {
namespace {

namespace fs = std::filesystem;

fs::path recorded(const std::string& name) {
    return blackbox::testing::test_data() / "runs" / name;
}

const Crash& only_crash(const RunModel& run) {
    EXPECT_EQ(run.crashes.size(), 1U);
    return run.crashes.at(0);
}

// A writable copy of a recorded run, removed afterwards.
class RunCopy {
  public:
    explicit RunCopy(const std::string& name)
        : dir_(fs::temp_directory_path() /
               ("blackbox-run-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
        fs::remove_all(dir_);
        fs::copy(recorded(name), dir_, fs::copy_options::recursive);
    }
    ~RunCopy() { fs::remove_all(dir_); }
    const fs::path& dir() const { return dir_; }
    fs::path journal(const std::string& role) const {
        for (const auto& entry : fs::directory_iterator(dir_ / "journal")) {
            if (entry.path().filename().string().find("-" + role + "-") != std::string::npos) {
                return entry.path();
            }
        }
        return {};
    }

  private:
    fs::path dir_;
};

TEST(RecordedRuns, SegfaultInATestBody) {
    auto run = load_run(recorded("segfault_in_call"));
    const auto& crash = only_crash(run);
    EXPECT_EQ(crash.nodeid, "test_a.py::test_segv");
    EXPECT_EQ(crash.phase, "call");
    EXPECT_EQ(crash.cause, "segfault");
    EXPECT_EQ(crash.signal, SIGSEGV);
    EXPECT_FALSE(crash.worker);
    ASSERT_GE(crash.frames.size(), 2U);
    EXPECT_NE(crash.frames[1].find("test_a.py\", line 5 in test_segv"), std::string::npos);
    EXPECT_EQ(run.status, "crashed");
    EXPECT_EQ(run.counts.collected, 3U);
    EXPECT_EQ(run.counts.passed, 1U);
    EXPECT_EQ(run.counts.crashed, 1U);
    EXPECT_EQ(run.counts.not_run, 1U);
    EXPECT_EQ(run_exit_code(run), 128 + SIGSEGV);
}

TEST(RecordedRuns, AbortInASessionFixtureNamesTheFixture) {
    auto run = load_run(recorded("abort_in_session_fixture_setup"));
    const auto& crash = only_crash(run);
    EXPECT_EQ(crash.nodeid, "test_b.py::test_db");
    EXPECT_EQ(crash.phase, "setup");
    EXPECT_EQ(crash.fixture, "db");
    EXPECT_EQ(crash.cause, "abort");
    EXPECT_EQ(crash.signal, SIGABRT);
}

TEST(RecordedRuns, SigkillInATeardownHasNoStackAndCountsOnce) {
    auto run = load_run(recorded("kill_in_teardown"));
    const auto& crash = only_crash(run);
    EXPECT_EQ(crash.phase, "teardown");
    EXPECT_EQ(crash.cause, "killed");
    EXPECT_EQ(crash.signal, SIGKILL);
    EXPECT_FALSE(crash.traceback);
    EXPECT_EQ(run.counts.crashed, 1U);
    EXPECT_EQ(run.counts.passed, 0U);
}

TEST(RecordedRuns, OsExitIsACrashWithItsExitCode) {
    auto run = load_run(recorded("os_exit_in_call"));
    const auto& crash = only_crash(run);
    EXPECT_EQ(crash.cause, "exit");
    EXPECT_EQ(crash.exit_code, 3);
    EXPECT_FALSE(crash.signal);
    EXPECT_EQ(run_exit_code(run), 3);
}

TEST(RecordedRuns, SegfaultWhileImportingAModuleNamesTheModule) {
    auto run = load_run(recorded("segfault_collecting"));
    const auto& crash = only_crash(run);
    EXPECT_EQ(crash.phase, "collect");
    EXPECT_EQ(crash.module, "test_b.py");
    EXPECT_EQ(crash.cause, "segfault");
}

TEST(RecordedRuns, SegfaultAtInterpreterExitIsASessionCrash) {
    auto run = load_run(recorded("segfault_at_exit"));
    const auto& crash = only_crash(run);
    EXPECT_EQ(crash.phase, "session");
    EXPECT_EQ(crash.stage, "shutdown");
    EXPECT_FALSE(crash.nodeid);
    EXPECT_EQ(crash.signal, SIGSEGV);
    EXPECT_EQ(run.counts.passed, 1U);
}

TEST(RecordedRuns, AWorkerSegfaultUnderXdistKeepsTheOtherResults) {
    auto run = load_run(recorded("xdist_worker_segfault"));
    const auto& crash = only_crash(run);
    EXPECT_EQ(crash.nodeid, "test_x.py::test_segv");
    EXPECT_EQ(crash.phase, "call");
    EXPECT_EQ(crash.worker, "gw0");
    EXPECT_EQ(crash.signal, SIGSEGV);
    EXPECT_EQ(run.counts.passed, 4U);
    EXPECT_EQ(run.counts.crashed, 1U);
    EXPECT_EQ(run.status, "crashed");
}

TEST(RecordedRuns, ACleanRunCountsEveryOutcome) {
    auto run = load_run(recorded("passed_failed_skipped"));
    EXPECT_TRUE(run.crashes.empty());
    EXPECT_EQ(run.status, "failed");
    EXPECT_EQ(run.counts.passed, 1U);
    EXPECT_EQ(run.counts.failed, 1U);
    EXPECT_EQ(run.counts.skipped, 1U);
    EXPECT_EQ(run.counts.xfailed, 1U);
    EXPECT_EQ(run_exit_code(run), 1);
}

// A restart deselects the tests earlier attempts ran; that is not the user's deselection.
TEST(RecordedRuns, TheRestartsDeselectionIsKeptApartFromTheUsers) {
    RunCopy copy("passed_failed_skipped");
    const auto journal = copy.journal("main");
    std::string text = blackbox::testing::text_of(journal);
    const std::string old = R"("count":4,"deselected":0,"errors":0)";
    ASSERT_NE(text.find(old), std::string::npos);
    text.replace(text.find(old), old.size(), R"("count":4,"deselected":5,"errors":0,"resumed":3)");
    std::ofstream(journal, std::ios::trunc) << text;
    auto run = load_run(copy.dir());
    EXPECT_EQ(run.counts.deselected, 2U);
    EXPECT_EQ(run.counts.resume_deselected, 3U);
    auto json = report::postmortem_json(run);
    EXPECT_EQ(json["tests"]["deselected"], 2);
    EXPECT_EQ(json["tests"]["resume_deselected"], 3);
}

TEST(RecordedRuns, WithoutTheSupervisorsEndTheRunIsIncompleteButTheTestIsNamed) {
    RunCopy copy("segfault_in_call");
    fs::remove(copy.dir() / "end.json");
    fs::remove_all(copy.dir() / "faulthandler");  // as after a SIGKILL of everything
    auto run = load_run(copy.dir());
    EXPECT_EQ(run.status, "incomplete");
    const auto& crash = only_crash(run);
    EXPECT_EQ(crash.nodeid, "test_a.py::test_segv");
    EXPECT_EQ(crash.phase, "call");
    EXPECT_EQ(crash.cause, "unknown");
    auto json = report::postmortem_json(run);
    EXPECT_TRUE(json["exit"]["blackbox"].is_null());
}

TEST(RecordedRuns, TornGarbageUnknownAndHugeRecordsAreSkippedWithWarnings) {
    RunCopy copy("segfault_in_call");
    {
        std::ofstream journal(copy.journal("main"), std::ios::app | std::ios::binary);
        using namespace std::string_literals;
        journal << "\x00\xffgarbage\n{\"ev\":\"from_the_future\",\"ns\":1}\n"s;
        journal << "{\"ev\":\"end\",\"longrepr\":\"" << std::string(5 * 1024 * 1024, 'x')
                << "\"}\n";
        journal << "{\"ev\":\"end\",\"phase\":\"ca";
    }
    auto run = load_run(copy.dir());
    const auto& crash = only_crash(run);
    EXPECT_EQ(crash.nodeid, "test_a.py::test_segv");
    EXPECT_EQ(crash.phase, "call");
    EXPECT_EQ(run.warnings.size(), 4U);
}

TEST(RecordedRuns, ATextPostMortemNamesCulpritCauseStackAndRerun) {
    auto run = load_run(recorded("segfault_in_call"));
    auto text = report::postmortem_text(run, report::TextOptions{});
    EXPECT_NE(text.find("test_a.py::test_segv died in call: segfault (SIGSEGV)"),
              std::string::npos);
    EXPECT_NE(text.find("line 5 in test_segv"), std::string::npos);
    // The recorded `-p no:cacheprovider` changes how the test runs: kept; `-q` is not.
    EXPECT_NE(text.find("re-run    blackbox run -- /usr/bin/python3 -m pytest -p no:cacheprovider "
                        "test_a.py::test_segv"),
              std::string::npos);
}

TEST(RecordedRuns, ADirectoryThatIsNotARunIsAnErrorWithExitCode2) {
    try {
        load_run(fs::temp_directory_path());
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(error.exit_code(), kNotARunExitCode);
    }
}

}  // namespace
}  // namespace blackbox::postmortem
