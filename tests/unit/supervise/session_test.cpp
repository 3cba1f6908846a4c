// The supervised command in pipe mode: exit status, exec failures, output to the terminal and the
// log, environment and process group.

#include <cerrno>
#include <fstream>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/supervise/session.hpp>

#include "session_support.hpp"

namespace blackbox::supervise {
namespace {

using test_support::run_captured;
using test_support::shell_session;
using test_support::slurp;
using test_support::TempDir;

TEST(Session, ReportsTheExitCode) {
    TempDir dir;
    auto run = run_captured(dir, shell_session(dir, "exit 3"));
    EXPECT_EQ(run.result.spawn_errno, std::nullopt);
    EXPECT_EQ(run.result.status, ExitStatus::exited(3));
    EXPECT_GT(run.result.pid, 0);
    EXPECT_FALSE(run.result.terminal);
    EXPECT_EQ(run.result.forwarded_signal, std::nullopt);
}

TEST(Session, ReportsDeathBySegfault) {
    TempDir dir;
    auto run = run_captured(dir, shell_session(dir, "kill -SEGV $$"));
    EXPECT_EQ(run.result.status.signal(), SIGSEGV);
    EXPECT_EQ(run.result.status.shell_code(), 139);
}

TEST(Session, ReportsDeathBySigkill) {
    TempDir dir;
    auto run = run_captured(dir, shell_session(dir, "kill -KILL $$"));
    EXPECT_EQ(run.result.status, ExitStatus::signaled(SIGKILL));
    EXPECT_FALSE(run.result.stop_escalated);
}

TEST(Session, MissingProgramIsAnExecErrorNotOutput) {
    TempDir dir;
    auto options = shell_session(dir, "");
    options.argv = {(dir / "no-such-program").string(), "arg"};
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.spawn_errno, ENOENT);
    EXPECT_EQ(run.result.status.shell_code(), 127);
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err, "");
    EXPECT_EQ(slurp(dir / "output.log"), "");
}

TEST(Session, CommandNotOnThePathIsNotStarted) {
    TempDir dir;
    auto options = shell_session(dir, "");
    options.argv = {"blackbox-no-such-command"};
    options.environment = {"PATH=" + dir.path().string()};
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.spawn_errno, ENOENT);
    EXPECT_EQ(run.result.pid, -1);
}

TEST(Session, NonExecutableFileIsEacces) {
    TempDir dir;
    std::ofstream(dir / "script") << "#!/bin/sh\nexit 0\n";
    auto options = shell_session(dir, "");
    options.argv = {(dir / "script").string()};
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.spawn_errno, EACCES);
    EXPECT_EQ(run.result.status.shell_code(), 126);
}

TEST(Session, ProgramIsFoundOnTheCommandsOwnPath) {
    TempDir dir;
    auto options = shell_session(dir, "");
    options.argv = {"sh", "-c", "exit 5"};
    options.environment = {"PATH=/nonexistent:/usr/bin:/bin"};
    EXPECT_EQ(run_captured(dir, options).result.status, ExitStatus::exited(5));
}

TEST(Session, LogHoldsEveryByteUpToASigkill) {
    TempDir dir;
    auto run = run_captured(
        dir, shell_session(dir, "printf 'line one\\nline two\\nno newline'; kill -9 $$"));
    EXPECT_EQ(run.result.status.signal(), SIGKILL);
    EXPECT_EQ(slurp(dir / "output.log"), "line one\nline two\nno newline");
    EXPECT_EQ(run.out, "line one\nline two\nno newline");
}

TEST(Session, StdoutAndStderrKeepTheirStreamsAndBothReachTheLog) {
    TempDir dir;
    auto run = run_captured(dir, shell_session(dir, "echo to-out; echo to-err >&2; exit 1"));
    EXPECT_EQ(run.result.status, ExitStatus::exited(1));
    EXPECT_EQ(run.out, "to-out\n");
    EXPECT_EQ(run.err, "to-err\n");
    auto log = slurp(dir / "output.log");
    EXPECT_NE(log.find("to-out\n"), std::string::npos);
    EXPECT_NE(log.find("to-err\n"), std::string::npos);
    EXPECT_EQ(log.size(), std::string("to-out\nto-err\n").size());
}

TEST(Session, LargeBinaryOutputPassesUnchanged) {
    TempDir dir;
    {
        std::ofstream data(dir / "data", std::ios::binary);
        for (int i = 0; i < 3 * 65536 + 7; ++i) {
            data.put(static_cast<char>(i * 7 % 256));
        }
    }
    auto run = run_captured(dir, shell_session(dir, "cat '" + (dir / "data").string() + "'"));
    EXPECT_EQ(run.result.status, ExitStatus::exited(0));
    auto expected = slurp(dir / "data");
    EXPECT_TRUE(run.out == expected);
    EXPECT_TRUE(slurp(dir / "output.log") == expected);
}

TEST(Session, LogThatCannotBeCreatedDoesNotStopTheCommand) {
    TempDir dir;
    auto options = shell_session(dir, "echo still-runs");
    options.output_log = dir / "missing-directory" / "output.log";
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.result.status, ExitStatus::exited(0));
    EXPECT_EQ(run.result.log_errno, ENOENT);
    EXPECT_EQ(run.out, "still-runs\n");
}

TEST(Session, CommandGetsExactlyTheGivenEnvironment) {
    TempDir dir;
    auto options = shell_session(dir, "echo \"$ONLY/${HOME:-unset}\"");
    options.environment = {"ONLY=given"};
    auto run = run_captured(dir, options);
    EXPECT_EQ(run.out, "given/unset\n");
}

TEST(Session, CommandLeadsItsOwnProcessGroup) {
    TempDir dir;
    // Field 5 of /proc/<pid>/stat is the process group.
    auto run = run_captured(dir, shell_session(dir, "cut -d' ' -f5 /proc/$$/stat"));
    EXPECT_EQ(run.out, std::to_string(run.result.pid) + "\n");
    EXPECT_NE(run.result.pid, ::getpgrp());
}

TEST(Session, CommandDoesNotInheritOurSignalHandlingOrMask) {
    TempDir dir;
    // We ignore SIGPIPE and SIGTTOU and catch SIGINT while supervising; the command must get the
    // defaults. Bit N-1 of these masks stands for signal N.
    auto run = run_captured(dir, shell_session(dir, "exec cat /proc/self/status"));
    auto status = run.out;
    auto mask = [&status](const std::string& name) {
        auto at = status.find(name + ":");
        return at == std::string::npos ? ~0ULL : std::stoull(status.substr(at + 7), nullptr, 16);
    };
    EXPECT_EQ(mask("SigIgn") & (1ULL << (SIGPIPE - 1)), 0U) << status;
    EXPECT_EQ(mask("SigIgn") & (1ULL << (SIGTTOU - 1)), 0U) << status;
    EXPECT_EQ(mask("SigCgt") & (1ULL << (SIGINT - 1)), 0U) << status;
    EXPECT_EQ(mask("SigBlk"), 0U) << status;
}

TEST(Session, WorksForACallerThatBlocksSignalsAndTheCommandStartsUnblocked) {
    TempDir dir;
    sigset_t blocked;
    sigset_t previous;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGCHLD);
    sigaddset(&blocked, SIGUSR1);
    ::pthread_sigmask(SIG_BLOCK, &blocked, &previous);
    // Long enough for several ticks however busy the machine is.
    auto options = shell_session(dir, "sleep 0.3; exec cat /proc/self/status");
    bool sigchld_unblocked_while_running = false;
    options.on_tick = [&] {
        sigset_t now;
        ::pthread_sigmask(SIG_BLOCK, nullptr, &now);
        sigchld_unblocked_while_running = sigismember(&now, SIGCHLD) == 0;
    };
    options.tick = std::chrono::milliseconds(1);
    auto run = run_captured(dir, options);
    sigset_t after;
    ::pthread_sigmask(SIG_SETMASK, &previous, &after);
    EXPECT_EQ(sigismember(&after, SIGCHLD), 1);  // our mask is back as it was
    EXPECT_NE(run.out.find("SigBlk:\t0000000000000000\n"), std::string::npos) << run.out;
    EXPECT_TRUE(sigchld_unblocked_while_running);
}

TEST(Session, RestoresOurSignalDispositions) {
    TempDir dir;
    auto before_int = ::signal(SIGINT, SIG_DFL);
    auto before_pipe = ::signal(SIGPIPE, SIG_DFL);
    auto run = run_captured(dir, shell_session(dir, "exit 0"));
    EXPECT_EQ(::signal(SIGINT, before_int), SIG_DFL);
    EXPECT_EQ(::signal(SIGPIPE, before_pipe), SIG_DFL);
}

TEST(Session, CallsOnStartedOnceAndOnTickWhileRunning) {
    TempDir dir;
    auto options = shell_session(dir, "sleep 0.3");
    std::vector<pid_t> started;
    int ticks = 0;
    options.on_started = [&](pid_t pid) { started.push_back(pid); };
    options.on_tick = [&] { ++ticks; };
    auto run = run_captured(dir, options);
    EXPECT_EQ(started, std::vector<pid_t>{run.result.pid});
    EXPECT_GE(ticks, 3);  // 30 due; generous for a loaded machine
}

}  // namespace
}  // namespace blackbox::supervise
