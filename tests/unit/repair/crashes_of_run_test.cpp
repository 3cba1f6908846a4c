// A run directory's crashes as postprocess entries (recorded runs, tests/unit/data/runs/).

#include <gtest/gtest.h>

#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/repair/crash_sources.hpp>

#include "../test_data.hpp"

namespace blackbox::repair {
namespace {

postmortem::RunModel recorded(const std::string& name) {
    return postmortem::load_run(blackbox::testing::test_data() / "runs" / name);
}

TEST(CrashesOfRun, ASegfaultInACallBringsCauseSignalPhaseAndTraceback) {
    auto entries = crashes_of_run(recorded("segfault_in_call"));
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].nodeid, "test_a.py::test_segv");
    EXPECT_EQ(entries[0].phase, "call");
    EXPECT_EQ(entries[0].cause, "segfault");
    EXPECT_EQ(entries[0].signal, "SIGSEGV");
    ASSERT_TRUE(entries[0].traceback);
    EXPECT_NE(entries[0].traceback->find("Segmentation fault"), std::string::npos);
    EXPECT_EQ(crash_message(entries[0]), "crashed in call: segfault (SIGSEGV)");
}

TEST(CrashesOfRun, AKillInTeardownIsATeardownCrash) {
    auto entries = crashes_of_run(recorded("kill_in_teardown"));
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].phase, "teardown");
    EXPECT_EQ(entries[0].signal, "SIGKILL");
    EXPECT_EQ(crash_outcome(entries[0]), "error");
}

TEST(CrashesOfRun, ACrashOutsideAnyTestNamesNothing) {
    auto entries = crashes_of_run(recorded("segfault_at_exit"));
    EXPECT_TRUE(entries.empty());
}

TEST(CrashesOfRun, ARunWithoutCrashesGivesNone) {
    EXPECT_TRUE(crashes_of_run(recorded("passed_failed_skipped")).empty());
}

}  // namespace
}  // namespace blackbox::repair
