// What the command leaves behind when it exits: output still held open, processes of its group,
// processes that left the group.

#include <algorithm>
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
    EXPECT_TRUE(run.result.leftovers.empty());
}

// Kills `pid` when the test ends, should the session under test have missed it.
struct KillAtExit {
    pid_t pid;
    ~KillAtExit() {
        if (pid > 0 && process_exists(pid)) {
            ::kill(pid, SIGKILL);
        }
    }
};

TEST(Session, TerminatesAndReportsALeftoverThatLeftTheGroup) {
    TempDir dir;
    // setsid: a session (and group) of its own; orphaned when the shell exits, reparented to
    // the supervisor, its subreaper.
    auto options = shell_session(dir, "setsid sleep 31 >/dev/null 2>&1 & echo $! > '" +
                                          (dir / "leftover").string() + "'; sleep 0.2; exit 0");
    auto run = run_captured(dir, options);
    const pid_t leftover = read_pid(dir / "leftover");
    KillAtExit cleanup{leftover};
    ASSERT_GT(leftover, 0);
    EXPECT_EQ(run.result.status, ExitStatus::exited(0));
    EXPECT_TRUE(run.result.leftovers_terminated);
    EXPECT_FALSE(process_exists(leftover));  // stopped, and reaped (no zombie of ours)
    ASSERT_EQ(run.result.leftovers.size(), 1u);
    const auto& left = run.result.leftovers[0];
    EXPECT_EQ(left.process.pid, leftover);
    EXPECT_EQ(left.process.command, "sleep 31");
    EXPECT_FALSE(left.in_group);
    EXPECT_TRUE(left.stopped);
}

TEST(Session, ReportsLeftoversOfTheGroupToo) {
    TempDir dir;
    auto options = shell_session(
        dir, "sleep 32 >/dev/null 2>&1 & echo $! > '" + (dir / "leftover").string() + "'; exit 0");
    auto run = run_captured(dir, options);
    const pid_t leftover = read_pid(dir / "leftover");
    KillAtExit cleanup{leftover};
    ASSERT_EQ(run.result.leftovers.size(), 1u);
    EXPECT_EQ(run.result.leftovers[0].process.pid, leftover);
    EXPECT_TRUE(run.result.leftovers[0].in_group);
    EXPECT_TRUE(run.result.leftovers[0].stopped);
}

TEST(Session, StopsADoubleForkedDaemonThatIgnoresSigterm) {
    TempDir dir;
    // The classic daemon: fork, setsid, fork again, the middle exits; TERM ignored.
    auto options = shell_session(
        dir, "(setsid sh -c 'trap \"\" TERM; (while :; do sleep 0.05; done) & echo $! > \"" +
                 (dir / "leftover").string() + "\"' >/dev/null 2>&1 &); sleep 0.3; exit 0");
    options.leftover_grace = std::chrono::milliseconds(100);
    auto run = run_captured(dir, options);
    const pid_t leftover = read_pid(dir / "leftover");
    KillAtExit cleanup{leftover};
    ASSERT_GT(leftover, 0);
    EXPECT_FALSE(process_exists(leftover));
    const auto& leftovers = run.result.leftovers;
    EXPECT_TRUE(std::any_of(leftovers.begin(), leftovers.end(), [&](const Leftover& left) {
        return left.process.pid == leftover && !left.in_group && left.stopped;
    }));
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
