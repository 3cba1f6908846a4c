// Run directories are untrusted input, and recording can lose records to a full disk: the
// post-mortem refuses what is not what the formats say (never following a link, never waiting
// on a FIFO), says what was lost instead of inventing a crash, and stays bounded whatever the
// files hold.

#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/report/json_view.hpp>

#include "../scratch_dir.hpp"
#include "../test_data.hpp"

namespace blackbox::postmortem {
namespace {

namespace fs = std::filesystem;

// A writable copy of a recorded run (tests/unit/data/runs/).
class Copy {
  public:
    explicit Copy(const std::string& name) {
        fs::copy(blackbox::testing::test_data() / "runs" / name, dir(),
                 fs::copy_options::recursive);
    }
    fs::path dir() const { return scratch_ / "run"; }
    fs::path journal() const {
        for (const auto& entry : fs::directory_iterator(dir() / "journal")) {
            if (entry.path().extension() == ".jsonl") {
                return entry.path();
            }
        }
        return {};
    }

    // lost/<stem>.lost of the journal's process (its folder made).
    fs::path lost_file() const {
        fs::create_directories(dir() / "lost");
        return (dir() / "lost" / journal().filename()).replace_extension(".lost");
    }

  private:
    testing::ScratchDir scratch_{"hostile"};
};

std::string refusal(const fs::path& dir) {
    try {
        load_run(dir);
    } catch (const Error& error) {
        EXPECT_EQ(error.exit_code(), kNotARunExitCode);
        return error.what();
    }
    return "";
}

TEST(HostileRuns, ALinkedJournalFolderIsRefusedNotFollowed) {
    Copy run("passed_failed_skipped");
    fs::rename(run.dir() / "journal", run.dir() / "elsewhere");
    fs::create_directory_symlink(run.dir() / "elsewhere", run.dir() / "journal");
    auto why = refusal(run.dir());
    EXPECT_NE(why.find("journal/ is a symbolic link, not a directory"), std::string::npos) << why;
}

TEST(HostileRuns, AFifoInPlaceOfTheTrailIsRefusedWithoutWaitingOnIt) {
    Copy run("passed_failed_skipped");
    ASSERT_EQ(::mkfifo((run.dir() / "samples.jsonl").c_str(), 0644), 0);
    auto why = refusal(run.dir());
    EXPECT_NE(why.find("samples.jsonl is a FIFO, not a regular file"), std::string::npos) << why;
}

TEST(HostileRuns, ALinkToADeviceInPlaceOfAJournalIsRefused) {
    Copy run("passed_failed_skipped");
    auto journal = run.journal();
    fs::remove(journal);
    fs::create_symlink("/dev/zero", journal);
    auto why = refusal(run.dir());
    EXPECT_NE(why.find(journal.filename().string() + " is a symbolic link"), std::string::npos)
        << why;
}

TEST(HostileRuns, AJournalFolderThatCannotBeReadIsAnErrorNotAnEmptyRun) {
    Copy run("passed_failed_skipped");
    fs::remove_all(run.dir() / "journal");
    std::ofstream(run.dir() / "journal") << "not a folder";
    auto why = refusal(run.dir());
    EXPECT_NE(why.find("journal/ is a regular file, not a directory"), std::string::npos) << why;
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root reads a folder whatever its permissions";
    }
    fs::remove(run.dir() / "journal");
    fs::create_directory(run.dir() / "journal");
    fs::permissions(run.dir() / "journal", fs::perms::none);
    why = refusal(run.dir());
    fs::permissions(run.dir() / "journal", fs::perms::owner_all);
    EXPECT_NE(why.find("journal/ cannot be read: Permission denied"), std::string::npos) << why;
}

// os_exit_in_call: pytest's journal stops in the call of test_x, and pytest exited with 3.
TEST(HostileRuns, AJournalCutShortWithoutALossIsStillACrash) {
    Copy run("os_exit_in_call");
    auto model = load_run(run.dir());
    ASSERT_EQ(model.crashes.size(), 1U);
    EXPECT_EQ(model.crashes[0].cause, "exit");
}

TEST(HostileRuns, AJournalWhoseEndWasLostIsNotACrash) {
    Copy run("os_exit_in_call");
    auto lost = run.lost_file();
    std::ofstream(lost)
        << R"({"ev":"lost","ns":5133277800000,"since_ns":5133277790000,"records":4,)"
        << R"("reason":"No space left on device","ended":true,"recovered":false})"
        << "\n"
        << std::string(100, '\0');
    auto model = load_run(run.dir());
    EXPECT_TRUE(model.crashes.empty());
    EXPECT_EQ(run_exit_code(model), 3);  // pytest's own
    ASSERT_EQ(model.recording_lost.size(), 1U);
    const auto& said = model.recording_lost[0];
    EXPECT_NE(said.find("main (pid 28947): 4 journal records lost from 05:09:09."),
              std::string::npos)
        << said;
    EXPECT_NE(said.find("after test_d.py::test_x (No space left on device)"), std::string::npos)
        << said;
    EXPECT_NE(said.find("finished its session"), std::string::npos) << said;
    EXPECT_EQ(report::postmortem_json(model)["recording_lost"].size(), 1U);
}

TEST(HostileRuns, ARecoveredLossFileSaysNothing) {
    Copy run("os_exit_in_call");
    auto lost = run.lost_file();
    std::ofstream(lost) << R"({"ev":"lost","ns":1,"since_ns":1,"records":0,"reason":"x",)"
                        << R"("ended":false,"recovered":true})"
                        << "\n";
    auto model = load_run(run.dir());
    EXPECT_EQ(model.crashes.size(), 1U);
    EXPECT_TRUE(model.recording_lost.empty());
}

TEST(HostileRuns, WhenTheSupervisorCouldNotWriteACutShortJournalIsALossNotACrash) {
    Copy run("os_exit_in_call");
    KnownEnd known;
    known.end = rundir::end_from_json(nlohmann::json::parse(R"({
        "attempts": [{"attempt": 1, "pid": 28947, "wait": {"code": 3, "signal": null}}],
        "write_failures": [{"file": "samples.jsonl", "since_ns": 5133277700000,
                            "error": "No space left on device", "lost": 12, "unit": "lines"}]
    })"));
    auto model = load_run(run.dir(), &known);
    EXPECT_TRUE(model.crashes.empty());
    EXPECT_EQ(run_exit_code(model), 3);
    ASSERT_EQ(model.recording_lost.size(), 2U);
    EXPECT_NE(model.recording_lost[0].find("supervisor: samples.jsonl: 12 lines lost from"),
              std::string::npos)
        << model.recording_lost[0];
    EXPECT_NE(model.recording_lost[1].find("its results from there are missing, not crashed"),
              std::string::npos)
        << model.recording_lost[1];
}

// Where the disk fills up decides where the journal stops: between two tests as often as in
// one. The loss still names the test it came after.
TEST(HostileRuns, ALossBetweenTwoTestsNamesTheTestBeforeIt) {
    testing::ScratchDir dir("hostile");
    fs::create_directories(dir / "journal");
    fs::create_directories(dir / "lost");
    std::ofstream(dir / "journal" / "1-main-100.jsonl")
        << R"({"ev":"start","ns":1,"v":1,"wall":1795324149.0,"pid":100})"
           "\n"
        << R"({"ev":"collection","ns":2,"count":3})"
           "\n"
        << R"({"ev":"test","ns":3,"nodeid":"t.py::a"})"
           "\n"
        << R"({"ev":"end","ns":4,"phase":"setup","outcome":"passed"})"
           "\n"
        << R"({"ev":"end","ns":5,"phase":"call","outcome":"passed"})"
           "\n"
        << R"({"ev":"end","ns":6,"phase":"teardown","outcome":"passed"})"
           "\n";
    std::ofstream(dir / "lost" / "1-main-100.lost")
        << R"({"ev":"lost","ns":9,"since_ns":7,"records":9,"reason":"No space left on device",)"
        << R"("ended":true,"recovered":false})"
        << "\n";
    auto model = load_run(dir.path());
    EXPECT_TRUE(model.crashes.empty());
    ASSERT_EQ(model.recording_lost.size(), 1U);
    EXPECT_NE(model.recording_lost[0].find(
                  "9 journal records lost from 05:09:09.000 UTC, after t.py::a ("),
              std::string::npos)
        << model.recording_lost[0];
}

TEST(HostileRuns, AnEmptyJournalIsALossNotACrash) {
    // A disk full from the start: not even `start` could be written, nor end.json.
    Copy run("os_exit_in_call");
    fs::resize_file(run.journal(), 0);
    fs::remove(run.dir() / "end.json");
    auto model = load_run(run.dir());
    EXPECT_TRUE(model.crashes.empty());
    ASSERT_EQ(model.recording_lost.size(), 1U);
    EXPECT_NE(model.recording_lost[0].find("main (pid 28947): its journal is empty"),
              std::string::npos)
        << model.recording_lost[0];
}

TEST(HostileRuns, RecordsAfterALossAreNotGivenToTheTestBeforeIt) {
    testing::ScratchDir dir("hostile");
    fs::create_directories(dir / "journal");
    fs::create_directories(dir / "collected");
    std::ofstream(dir / "collected" / "1-main-100.jsonl") << R"({"nodeid":"t.py::a"})"
                                                             "\n"
                                                             R"({"nodeid":"t.py::b"})"
                                                             "\n"
                                                          << R"({"nodeid":"t.py::c"})"
                                                             "\n";
    std::ofstream(dir / "journal" / "1-main-100.jsonl")
        << R"({"ev":"start","ns":1,"v":1,"wall":1795324149.0,"pid":100})"
           "\n"
        << R"({"ev":"collection","ns":2,"count":3})"
           "\n"
        << R"({"ev":"test","ns":3,"nodeid":"t.py::a"})"
           "\n"
        << R"({"ev":"end","ns":4,"phase":"setup","outcome":"passed"})"
           "\n"
        << R"({"ev":"lost","ns":9,"since_ns":5,"records":5,"reason":"No space left on device"})"
           "\n"
        // The call of a, its teardown and b's records were lost; c's teardown came through.
        << R"({"ev":"end","ns":10,"phase":"teardown","outcome":"failed"})"
           "\n"
        << R"({"ev":"test","ns":11,"nodeid":"t.py::c"})"
           "\n"
        << R"({"ev":"end","ns":12,"phase":"setup","outcome":"passed"})"
           "\n"
        << R"({"ev":"end","ns":13,"phase":"call","outcome":"passed"})"
           "\n"
        << R"({"ev":"end","ns":14,"phase":"teardown","outcome":"passed"})"
           "\n"
        << R"({"ev":"session_end","ns":15,"exitstatus":0})"
           "\n"
        << R"({"ev":"exit","ns":16})"
           "\n";
    auto model = load_run(dir.path());
    EXPECT_TRUE(model.crashes.empty());
    ASSERT_EQ(model.tests.size(), 3U);
    EXPECT_NE(model.tests[0].outcome, "error");  // c's stray teardown is not a's
    EXPECT_EQ(model.tests[2].outcome, "passed");
    ASSERT_EQ(model.recording_lost.size(), 1U);
    EXPECT_NE(model.recording_lost[0].find("5 journal records lost from"), std::string::npos);
    EXPECT_NE(model.recording_lost[0].find("after t.py::a"), std::string::npos)
        << model.recording_lost[0];
}

TEST(HostileRuns, ACraftedTrailKeepsTheModelAndItsJsonSmall) {
    Copy run("os_exit_in_call");
    {
        std::ofstream trail(run.dir() / "samples.jsonl");
        // 300,000 samples within one second, each naming new processes, two looping parents.
        for (int i = 0; i < 300'000; ++i) {
            trail << R"({"ev":"sample","ns":)" << 5133277000000 + i << R"(,"rss":)" << i
                  << R"(,"procs":[[1,1,0],[)" << 100'000 + i << R"(,5,28947],[28947,7,)"
                  << 100'000 + i << "]]}\n";
        }
    }
    auto model = load_run(run.dir());
    EXPECT_TRUE(model.memory.sampled);
    EXPECT_LE(model.memory.before_end.size(), 1000U);
    EXPECT_EQ(model.memory.before_end.back().tree_rss, 299'999);
    EXPECT_EQ(model.memory.peak_tree_rss, 299'999);
    EXPECT_LT(report::postmortem_json(model).dump().size(), 200'000U);
}

}  // namespace
}  // namespace blackbox::postmortem
