// What the command leaves behind when it exits: output still held open, processes of its group.

#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/supervise/session.hpp>

#include "session_support.hpp"

namespace blackbox::supervise {
namespace {

using namespace std::chrono_literals;
using test_support::process_exists;
using test_support::read_pid;
using test_support::run_captured;
using test_support::shell_session;
using test_support::slurp;
using test_support::TempDir;

TEST(Session, TerminatesLeftoversOfTheGroupAfterTheCommandExits) {
    TempDir dir;
    auto options = shell_session(
        dir, "sleep 30 >/dev/null 2>&1 & echo $! > '" + (dir / "leftover").string() + "'; exit 4");
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.status, ExitStatus::exited(4));
    EXPECT_TRUE(run.result.leftovers_terminated);
    auto leftover = read_pid(dir / "leftover");
    ASSERT_GT(leftover, 0);
    EXPECT_FALSE(process_exists(leftover));
}

TEST(Session, NoLeftoversMeansNothingToTerminate) {
    TempDir dir;
    auto run = run_captured(dir, shell_session(dir, "sleep 0.01 & wait; exit 0"));
    EXPECT_FALSE(run.result.leftovers_terminated);
}

TEST(Session, DoesNotWaitForeverForALeftoverHoldingTheOutputOpen) {
    TempDir dir;
    // The leftover keeps the stdout pipe open: the drain gives up after drain_timeout.
    auto options =
        shell_session(dir, "sleep 30 & echo $! > '" + (dir / "leftover").string() + "'; echo done");
    options.drain_timeout = 100ms;
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.status, ExitStatus::exited(0));
    EXPECT_TRUE(run.result.leftovers_terminated);
    EXPECT_EQ(slurp(dir / "output.log"), "done\n");
    EXPECT_FALSE(process_exists(read_pid(dir / "leftover")));
}

TEST(Session, KeepsOutputALeftoverPrintsWhileBeingTerminated) {
    TempDir dir;
    auto options =
        shell_session(dir,
                      "(trap 'echo leftover-stopped; exit 0' TERM; while :; do sleep 0.01; done) & "
                      "echo main-done");
    options.drain_timeout = 100ms;
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.status, ExitStatus::exited(0));
    // (The subshell may also report its sleep as "Terminated".)
    auto log = slurp(dir / "output.log");
    EXPECT_EQ(log.rfind("main-done\n", 0), 0U) << log;
    EXPECT_NE(log.find("leftover-stopped\n"), std::string::npos) << log;
}

TEST(Session, KillsLeftoversThatIgnoreSigterm) {
    TempDir dir;
    auto options = shell_session(dir,
                                 "(trap '' TERM; while :; do sleep 0.01; done) "
                                 ">/dev/null 2>&1 & echo $! > '" +
                                     (dir / "leftover").string() + "'; exit 0");
    options.leftover_grace = 100ms;
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.status, ExitStatus::exited(0));
    EXPECT_TRUE(run.result.leftovers_terminated);
    EXPECT_FALSE(process_exists(read_pid(dir / "leftover")));
}

}  // namespace
}  // namespace blackbox::supervise
