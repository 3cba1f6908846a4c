// The tests the user's stop caught running: found in the journals, never a crash, and "not run"
// never said of them.

#include <csignal>

#include <gtest/gtest.h>

#include <blackbox/journal/process_replay.hpp>
#include <blackbox/postmortem/interruption.hpp>

namespace blackbox::postmortem {
namespace {

// A main process that collected one test, passed its setup and is in its call.
constexpr const char* kInCall = R"({"ev":"start","ns":100,"v":1,"pid":7,"attempt":1}
{"ev":"session_start","ns":110,"controller":false}
{"ev":"collection","ns":120,"count":2,"deselected":0,"errors":0}
{"ev":"test","ns":1000000000,"nodeid":"t.py::test_slow"}
{"ev":"end","ns":1100000000,"phase":"setup","outcome":"passed","dur":0.1}
)";

journal::ProcessReplay replay(const std::string& text, int attempt = 1) {
    journal::ProcessFiles files;
    files.attempt = attempt;
    files.role = "main";
    files.pid = 7;
    return journal::replay_process(files, text);
}

RunModel ended(std::optional<int> forwarded, std::int64_t ended_ns = 4'100'000'000) {
    RunModel run;
    AttemptEnd end;
    end.pid = 7;
    end.wait.signal = forwarded;
    end.forwarded_signal = forwarded;
    end.ended_ns = ended_ns;
    run.attempt_ends.push_back(end);
    return run;
}

TEST(Interruption, ATestInFlightWhenAForwardedSignalKilledPytestWasInterrupted) {
    std::vector<journal::ProcessReplay> replays{replay(kInCall)};
    auto found = find_interruptions(replays, ended(SIGTERM));
    ASSERT_EQ(found.size(), 1U);
    EXPECT_EQ(found[0].nodeid, "t.py::test_slow");
    EXPECT_EQ(found[0].phase, "call");
    EXPECT_EQ(found[0].signal, SIGTERM);
    EXPECT_EQ(describe_interruption(found[0]), "stopped by SIGTERM in the call, 3.0 s in");
}

TEST(Interruption, AKeyboardInterruptPytestCaughtNamesTheTestItStopped) {
    std::string text = kInCall;
    text += R"({"ev":"interrupt","ns":2100000000,"reason":"KeyboardInterrupt"}
{"ev":"session_end","ns":2200000000,"exitstatus":2}
)";
    std::vector<journal::ProcessReplay> replays{replay(text)};
    auto found = find_interruptions(replays, ended(std::nullopt));  // Ctrl-C on the terminal
    ASSERT_EQ(found.size(), 1U);
    EXPECT_EQ(found[0].reason, "KeyboardInterrupt");
    EXPECT_FALSE(found[0].signal);
    EXPECT_EQ(describe_interruption(found[0]), "KeyboardInterrupt in the call, 1.0 s in");
}

TEST(Interruption, ADeathNobodyAskedForIsNoInterruption) {
    std::vector<journal::ProcessReplay> replays{replay(kInCall)};
    auto run = ended(std::nullopt);
    run.attempt_ends[0].wait.signal = SIGSEGV;
    EXPECT_TRUE(find_interruptions(replays, run).empty());
}

TEST(Interruption, AProcessThatCrashedIsACrashNotAnInterruption) {
    std::vector<journal::ProcessReplay> replays{replay(kInCall)};
    auto run = ended(SIGTERM);
    Crash crash;
    crash.pid = 7;
    run.crashes.push_back(crash);
    EXPECT_TRUE(find_interruptions(replays, run).empty());
}

TEST(Interruption, BetweenTwoTestsNothingWasInterrupted) {
    std::string text = kInCall;
    text += R"({"ev":"end","ns":1200000000,"phase":"call","outcome":"passed","dur":0.1}
{"ev":"end","ns":1300000000,"phase":"teardown","outcome":"passed","dur":0.1}
)";
    std::vector<journal::ProcessReplay> replays{replay(text)};
    EXPECT_TRUE(find_interruptions(replays, ended(SIGTERM)).empty());
}

}  // namespace
}  // namespace blackbox::postmortem
