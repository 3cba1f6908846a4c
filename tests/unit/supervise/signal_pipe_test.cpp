#include <signal.h>
#include <thread>

#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/supervise/signal_pipe.hpp>

namespace blackbox::supervise {
namespace {

struct sigaction current(int sig) {
    struct sigaction action {};
    ::sigaction(sig, nullptr, &action);
    return action;
}

TEST(SignalPipe, DeliversSignalsInArrivalOrder) {
    SignalPipe signals({SIGUSR1, SIGUSR2}, {});
    ::raise(SIGUSR2);
    ::raise(SIGUSR1);
    EXPECT_EQ(signals.take(), (std::vector<int>{SIGUSR2, SIGUSR1}));
    EXPECT_TRUE(signals.take().empty());
}

TEST(SignalPipe, SignalRaisedOnAnotherThreadArrives) {
    SignalPipe signals({SIGUSR1}, {});
    std::thread([] { ::raise(SIGUSR1); }).join();
    EXPECT_EQ(signals.take(), std::vector<int>{SIGUSR1});
}

TEST(SignalPipe, RestoresPreviousDispositions) {
    ASSERT_EQ(current(SIGUSR1).sa_handler, SIG_DFL);
    ::signal(SIGUSR2, SIG_IGN);
    {
        SignalPipe signals({SIGUSR1}, {SIGUSR2});
        EXPECT_NE(current(SIGUSR1).sa_handler, SIG_DFL);
        EXPECT_EQ(current(SIGUSR2).sa_handler, SIG_IGN);
    }
    EXPECT_EQ(current(SIGUSR1).sa_handler, SIG_DFL);
    EXPECT_EQ(current(SIGUSR2).sa_handler, SIG_IGN);
    ::signal(SIGUSR2, SIG_DFL);
}

TEST(SignalPipe, DispositionsForExecAreTheCallersWithoutHandlers) {
    ::signal(SIGHUP, SIG_IGN);  // as under nohup
    {
        SignalPipe signals({SIGHUP, SIGUSR1}, {SIGPIPE});
        for (const auto& d : signals.dispositions_for_exec()) {
            if (d.signal == SIGHUP) {
                EXPECT_EQ(d.action.sa_handler, SIG_IGN);
            } else {
                EXPECT_EQ(d.action.sa_handler, SIG_DFL) << d.signal;
            }
        }
        EXPECT_EQ(signals.dispositions_for_exec().size(), 3U);
    }
    ::signal(SIGHUP, SIG_DFL);
}

TEST(SignalPipe, OnlyOneAtATime) {
    SignalPipe signals({SIGUSR1}, {});
    EXPECT_THROW(SignalPipe({SIGUSR2}, {}), Error);
    EXPECT_EQ(current(SIGUSR2).sa_handler, SIG_DFL);
}

}  // namespace
}  // namespace blackbox::supervise
