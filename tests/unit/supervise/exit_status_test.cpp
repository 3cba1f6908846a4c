#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/supervise/exit_status.hpp>

namespace blackbox::supervise {
namespace {

// The wait status of a real child that runs `act` and then exits with 0.
template <typename Act>
int wait_status_of(Act act) {
    pid_t pid = ::fork();
    if (pid == 0) {
        act();
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}

TEST(ExitStatus, ExitedGivesCodeAndNoSignal) {
    auto status = ExitStatus::exited(3);
    EXPECT_EQ(status.code(), 3);
    EXPECT_EQ(status.signal(), std::nullopt);
    EXPECT_FALSE(status.core_dumped());
    EXPECT_EQ(status.shell_code(), 3);
}

TEST(ExitStatus, SignalGivesShellCode128PlusN) {
    auto status = ExitStatus::signaled(SIGSEGV, true);
    EXPECT_EQ(status.code(), std::nullopt);
    EXPECT_EQ(status.signal(), SIGSEGV);
    EXPECT_TRUE(status.core_dumped());
    EXPECT_EQ(status.shell_code(), 128 + SIGSEGV);
}

TEST(ExitStatus, DefaultIsASuccessfulExit) {
    EXPECT_EQ(ExitStatus(), ExitStatus::exited(0));
}

TEST(ExitStatus, FromWaitStatusOfARealExit) {
    auto status = ExitStatus::from_wait_status(wait_status_of([] { ::_exit(42); }));
    EXPECT_EQ(status, ExitStatus::exited(42));
}

TEST(ExitStatus, FromWaitStatusOfARealKill) {
    auto status = ExitStatus::from_wait_status(wait_status_of([] { ::raise(SIGKILL); }));
    EXPECT_EQ(status.signal(), SIGKILL);
    EXPECT_EQ(status.shell_code(), 137);
}

TEST(ExitStatus, FromWaitStatusRejectsAStoppedProcess) {
    // 0x137f is how wait() reports a process stopped by SIGSTOP.
    EXPECT_THROW(ExitStatus::from_wait_status(0x137f), Error);
}

TEST(ExitStatus, FromSiginfoKeepsTheCoreDumpFlag) {
    siginfo_t info{};
    info.si_code = CLD_DUMPED;
    info.si_status = SIGABRT;
    EXPECT_EQ(ExitStatus::from_siginfo(info), ExitStatus::signaled(SIGABRT, true));
    info.si_code = CLD_EXITED;
    info.si_status = 1;
    EXPECT_EQ(ExitStatus::from_siginfo(info), ExitStatus::exited(1));
}

TEST(ExitStatus, DescriptionNamesTheSignal) {
    EXPECT_EQ(ExitStatus::exited(3).description(), "exited with code 3");
    EXPECT_EQ(ExitStatus::signaled(SIGSEGV, true).description(), "killed by SIGSEGV (core dumped)");
    EXPECT_EQ(ExitStatus::signaled(SIGKILL).description(), "killed by SIGKILL");
}

TEST(SignalName, KnownAndUnknownSignals) {
    EXPECT_EQ(base::signal_name(SIGSEGV), "SIGSEGV");
    EXPECT_EQ(base::signal_name(SIGTERM), "SIGTERM");
    EXPECT_EQ(base::signal_name(99), "SIG99");
}

}  // namespace
}  // namespace blackbox::supervise
