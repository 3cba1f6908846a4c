// The command on a pseudo-terminal when our stdout is a terminal, and job control in pipe mode
// when only our stdin is. Each test runs the session in a forked child of the test that has a
// pseudo-terminal of its own as controlling terminal (see run_on_terminal).

#include <cstring>
#include <fstream>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/supervise/session.hpp>

#include "session_support.hpp"

namespace blackbox::supervise {
namespace {

using test_support::DefaultDisposition;
using test_support::run_on_terminal;
using test_support::shell_session;
using test_support::slurp;
using test_support::TempDir;

bool same_settings(const termios& a, const termios& b) {
    return a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag && a.c_lflag == b.c_lflag &&
           std::memcmp(a.c_cc, b.c_cc, sizeof a.c_cc) == 0;
}

// Runs `options` inside the terminal child; writes what the test needs to dir/"result":
// "<terminal> <shell code> <forwarded signal or 0> <settings restored> <foreground ours>".
std::function<int()> session_body(const TempDir& dir, SessionOptions options) {
    return [&dir, options = std::move(options)] {
        termios before{};
        ::tcgetattr(STDIN_FILENO, &before);
        auto result = run_session(options);
        termios after{};
        ::tcgetattr(STDIN_FILENO, &after);
        std::ofstream(dir / "result")
            << result.terminal << ' ' << result.status.shell_code() << ' '
            << result.forwarded_signal.value_or(0) << ' ' << same_settings(before, after) << ' '
            << (::tcgetpgrp(STDIN_FILENO) == ::getpgrp());
        return 0;
    };
}

// Writes `keys` once the screen shows `marker`.
std::function<bool(int, const std::string&)> type_after(std::string marker, std::string keys) {
    return [marker = std::move(marker), keys = std::move(keys)](int master,
                                                                const std::string& screen) {
        if (screen.find(marker) == std::string::npos) {
            return false;
        }
        EXPECT_EQ(::write(master, keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
        return true;
    };
}

// A minimal job-control shell around `job`: runs it as a foreground job in a process group of
// its own; when it stops, takes the terminal back, prints "[stopped]" and continues it in the
// foreground (as `fg` does). 0 when the job stopped once and then exited with 0.
int run_as_shell_job(const std::function<int()>& job) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);
        ::signal(SIGTTOU, SIG_IGN);
        ::tcsetpgrp(STDIN_FILENO, ::getpid());
        ::signal(SIGTTOU, SIG_DFL);
        ::_exit(job());
    }
    ::signal(SIGTTOU, SIG_IGN);  // we are the shell; we move the foreground around
    ::setpgid(pid, pid);
    ::tcsetpgrp(STDIN_FILENO, pid);
    int status = 0;
    ::waitpid(pid, &status, WUNTRACED);
    if (!WIFSTOPPED(status)) {
        return 10;
    }
    ::tcsetpgrp(STDIN_FILENO, ::getpgrp());
    const char note[] = "[stopped]\n";
    [[maybe_unused]] auto written = ::write(STDOUT_FILENO, note, sizeof note - 1);
    ::tcsetpgrp(STDIN_FILENO, pid);
    ::kill(-pid, SIGCONT);
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 11;
}

TEST(SessionOnTerminal, CommandSeesATerminalOnAllThreeStreams) {
    TempDir dir;
    auto options = shell_session(dir, "[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo tty || echo no");
    options.allow_terminal = true;
    auto run = run_on_terminal(session_body(dir, options));
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(slurp(dir / "result"), "1 0 0 1 1");
    EXPECT_EQ(slurp(dir / "output.log"), "tty\n");
    EXPECT_NE(run.screen.find("tty\r\n"), std::string::npos);  // our terminal's own "\r\n"
}

TEST(SessionOnTerminal, NoPtyWhenTerminalIsNotAllowed) {
    TempDir dir;
    auto options = shell_session(dir, "[ -t 1 ] && echo tty || echo no");
    auto run = run_on_terminal(session_body(dir, options));
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(slurp(dir / "output.log"), "no\n");
    EXPECT_EQ(slurp(dir / "result"), "0 0 0 1 1");
}

TEST(SessionOnTerminal, LogIsByteExactUpToASigkill) {
    TempDir dir;
    auto options = shell_session(dir, "printf 'a\\tb\\nc\\r\\nno newline'; kill -9 $$");
    options.allow_terminal = true;
    auto run = run_on_terminal(session_body(dir, options));
    EXPECT_EQ(slurp(dir / "result"), "1 137 0 1 1");
    EXPECT_EQ(slurp(dir / "output.log"), "a\tb\nc\r\nno newline");
}

TEST(SessionOnTerminal, KeysReachTheCommandAndOurTerminalIsRestored) {
    TempDir dir;
    auto options = shell_session(dir, "echo ready; read line; echo \"got:$line\"");
    options.allow_terminal = true;
    auto run = run_on_terminal(session_body(dir, options), type_after("ready", "hello\r"));
    EXPECT_EQ(slurp(dir / "result"), "1 0 0 1 1");
    // The command's terminal echoes the line, then the command answers.
    EXPECT_NE(slurp(dir / "output.log").find("got:hello\n"), std::string::npos)
        << slurp(dir / "output.log");
}

TEST(SessionOnTerminal, CtrlCReachesTheCommandThroughItsTerminal) {
    TempDir dir;
    DefaultDisposition sigint(SIGINT);  // the trap below cannot catch an inherited SIG_IGN
    auto options = shell_session(
        dir, "trap 'echo interrupted; exit 130' INT; echo ready; while :; do sleep 0.01; done");
    options.allow_terminal = true;
    auto run = run_on_terminal(session_body(dir, options), type_after("ready", "\x03"));
    // Not a signal of ours: the command's own line discipline turned the key into SIGINT.
    EXPECT_EQ(slurp(dir / "result"), "1 130 0 1 1");
    EXPECT_NE(slurp(dir / "output.log").find("interrupted\n"), std::string::npos);
}

TEST(SessionOnTerminal, WindowSizeIsCopiedAndFollowsResizes) {
    TempDir dir;
    auto options = shell_session(
        dir, "stty size; trap 'stty size; exit 0' WINCH; echo ready; while :; do sleep 0.01; done");
    options.allow_terminal = true;
    auto resize = [](int master, const std::string& screen) {
        if (screen.find("ready") == std::string::npos) {
            return false;
        }
        struct winsize size {};
        size.ws_row = 40;
        size.ws_col = 120;
        ::ioctl(master, TIOCSWINSZ, &size);
        return true;
    };
    auto run = run_on_terminal(session_body(dir, options), resize);
    EXPECT_EQ(slurp(dir / "result"), "1 0 0 1 1");
    EXPECT_EQ(slurp(dir / "output.log"), "33 111\nready\n40 120\n");
}

TEST(SessionOnTerminal, PipeModeGivesTheCommandTheTerminalForeground) {
    TempDir dir;
    // Without the foreground, reading the terminal would stop the command (SIGTTIN) for good.
    auto options = shell_session(dir, "echo ready; read line; echo \"got:$line\"");
    auto run = run_on_terminal(session_body(dir, options), type_after("ready", "hello\n"));
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(slurp(dir / "result"), "0 0 0 1 1");
    EXPECT_EQ(slurp(dir / "output.log"), "ready\ngot:hello\n");
}

TEST(SessionOnTerminal, FailedExecGivesTheTerminalForegroundBack) {
    TempDir dir;
    // The child takes the foreground before exec; the exec fails; the terminal must be ours.
    auto options = shell_session(dir, "");
    options.argv = {(dir / "no-such-program").string()};
    auto run = run_on_terminal(session_body(dir, options));
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(slurp(dir / "result"), "0 127 0 1 1");
}

TEST(SessionOnTerminal, CtrlZStopsUsWithTheCommandAndFgContinuesBoth) {
    TempDir dir;
    // Pipe mode: the command has the terminal's foreground, so Ctrl-Z stops it alone; we must
    // follow, or the shell would wait for us forever with the command stopped.
    auto options = shell_session(dir, "echo ready; kill -TSTP $$; echo resumed");
    auto body = session_body(dir, options);
    auto run = run_on_terminal([&body] { return run_as_shell_job(body); });
    EXPECT_EQ(run.exit_code, 0) << run.screen;
    EXPECT_NE(run.screen.find("[stopped]"), std::string::npos) << run.screen;
    EXPECT_EQ(slurp(dir / "result"), "0 0 0 1 1");
    EXPECT_EQ(slurp(dir / "output.log"), "ready\nresumed\n");
}

TEST(SessionOnTerminal, StoppedCommandIsContinuedWhenNoShellCouldResumeUs) {
    TempDir dir;
    // Our process group is orphaned here (no job control above us): the kernel discards our
    // SIGTSTP, and the command must not stay stopped.
    auto options = shell_session(dir, "echo ready; kill -TSTP $$; echo resumed");
    auto run = run_on_terminal(session_body(dir, options));
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(slurp(dir / "result"), "0 0 0 1 1");
    EXPECT_EQ(slurp(dir / "output.log"), "ready\nresumed\n");
}

}  // namespace
}  // namespace blackbox::supervise
