// Stop signals the supervisor receives go to the command's whole process group; a group that
// does not stop in time is killed.

#include <signal.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/supervise/child_subreaper.hpp>
#include <blackbox/supervise/session.hpp>

#include "session_support.hpp"

namespace blackbox::supervise {
namespace {

using namespace std::chrono_literals;
using test_support::DefaultDisposition;
using test_support::process_exists;
using test_support::read_pid;
using test_support::run_captured;
using test_support::shell_session;
using test_support::slurp;
using test_support::TempDir;

// An on_tick that runs `act` once, as soon as the log shows `marker`.
std::function<void()> once_logged(const TempDir& dir, std::string marker,
                                  std::function<void()> act) {
    return [&dir, marker = std::move(marker), act = std::move(act), done = false]() mutable {
        if (!done && slurp(dir / "output.log").find(marker) != std::string::npos) {
            done = true;
            act();
        }
    };
}

TEST(Session, ForwardsSigtermToTheWholeGroup) {
    TempDir dir;
    auto options = shell_session(
        dir, "sleep 30 & echo $! > '" + (dir / "grandchild").string() + "'; echo ready; wait");
    options.on_tick = once_logged(dir, "ready", [] { ::kill(::getpid(), SIGTERM); });
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.forwarded_signal, SIGTERM);
    EXPECT_EQ(run.result.status, ExitStatus::signaled(SIGTERM));
    EXPECT_FALSE(run.result.stop_escalated);
    auto grandchild = read_pid(dir / "grandchild");
    ASSERT_GT(grandchild, 0);
    EXPECT_FALSE(process_exists(grandchild));
}

TEST(Session, SigintRaisedOnAnotherThreadReachesTheCommandAsKeyboardInterrupt) {
    TempDir dir;
    DefaultDisposition sigint(SIGINT);  // the trap below cannot catch an inherited SIG_IGN
    // Like pytest: SIGINT is handled, the command reports and exits with its own code.
    auto options = shell_session(
        dir, "trap 'echo interrupted; exit 2' INT; echo ready; while :; do sleep 0.01; done");
    options.on_tick =
        once_logged(dir, "ready", [] { std::thread([] { ::raise(SIGINT); }).join(); });
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.forwarded_signal, SIGINT);
    EXPECT_EQ(run.result.status, ExitStatus::exited(2));
    EXPECT_EQ(run.out, "ready\ninterrupted\n");
}

TEST(Session, EscalatesToSigkillWhenTheGroupOutlivesTheStopGrace) {
    TempDir dir;
    auto options = shell_session(dir, "trap '' TERM; echo ready; while :; do sleep 0.01; done");
    options.stop_grace = 200ms;
    options.on_tick = once_logged(dir, "ready", [] { ::kill(::getpid(), SIGTERM); });
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.forwarded_signal, SIGTERM);
    EXPECT_EQ(run.result.status, ExitStatus::signaled(SIGKILL));
    EXPECT_TRUE(run.result.stop_escalated);
}

TEST(Session, ForwardsSighupAndRecordsOnlyTheFirstStopSignal) {
    TempDir dir;
    DefaultDisposition sighup(SIGHUP);  // nohup's SIG_IGN would be inherited, and not trappable
    auto options =
        shell_session(dir,
                      "trap 'echo got-hup' HUP; trap 'echo got-term; exit 7' TERM; echo ready; "
                      "while :; do sleep 0.01; done");
    // The second signal only once the first was handled, so that both traps run.
    int step = 0;
    options.on_tick = [&dir, &step] {
        auto log = slurp(dir / "output.log");
        if (step == 0 && log.find("ready") != std::string::npos) {
            ::kill(::getpid(), SIGHUP);
            step = 1;
        } else if (step == 1 && log.find("got-hup") != std::string::npos) {
            ::kill(::getpid(), SIGTERM);
            step = 2;
        }
    };
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.forwarded_signal, SIGHUP);
    EXPECT_EQ(run.result.status, ExitStatus::exited(7));
    EXPECT_EQ(run.out, "ready\ngot-hup\ngot-term\n");
}

TEST(Session, ReapsOrphansOfTheGroupWhileTheCommandRuns) {
    ChildSubreaper probe;
    if (!probe.active()) {
        GTEST_SKIP() << "PR_SET_CHILD_SUBREAPER is not available here";
    }
    TempDir dir;
    const auto orphan_file = (dir / "orphan").string();
    // The subshell exits at once, so the inner sh is orphaned (reparented to us) and dies soon.
    auto options = shell_session(
        dir, "(sh -c 'echo $$ > \"$0\"; sleep 0.05' '" + orphan_file + "' &); sleep 0.5");
    bool reaped_while_running = false;
    options.on_tick = [&] {
        auto orphan = read_pid(orphan_file);
        if (orphan > 0 && !process_exists(orphan)) {
            reaped_while_running = true;  // no zombie left even before the command ended
        }
    };
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.status, ExitStatus::exited(0));
    EXPECT_TRUE(reaped_while_running);
}

TEST(Session, ExceptionFromAHookKillsTheGroupBeforeLeaving) {
    TempDir dir;
    auto options = shell_session(
        dir, "sleep 30 & echo $! > '" + (dir / "grandchild").string() + "'; echo ready; wait");
    pid_t child = -1;
    options.on_started = [&child](pid_t pid) { child = pid; };
    options.on_tick = once_logged(dir, "ready", [] { throw std::runtime_error("hook failed"); });
    EXPECT_THROW(run_captured(dir, options), std::runtime_error);
    EXPECT_FALSE(process_exists(child));
    auto grandchild = read_pid(dir / "grandchild");
    ASSERT_GT(grandchild, 0);
    // SIGKILLed; reparented to init or to us (subreaper ended), it may take a moment to vanish.
    for (int i = 0; i < 200 && process_exists(grandchild); ++i) {
        ::usleep(5000);
    }
    EXPECT_FALSE(process_exists(grandchild));
}

}  // namespace
}  // namespace blackbox::supervise
