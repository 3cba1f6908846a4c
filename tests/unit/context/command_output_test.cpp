#include <chrono>
#include <cstdlib>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/context/command_output.hpp>

namespace blackbox::context {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TEST(CommandOutput, ReturnsStandardOutputOfASuccess) {
    EXPECT_EQ(command_output({"printf", "%s\\n", "hello world"}), "hello world\n");
}

TEST(CommandOutput, NoShellInterpretsTheArguments) {
    EXPECT_EQ(command_output({"echo", "$HOME", "*", ";", "|"}), "$HOME * ; |\n");
}

TEST(CommandOutput, NonZeroExitGivesNothing) {
    EXPECT_EQ(command_output({"sh", "-c", "echo partial; exit 3"}), std::nullopt);
    EXPECT_EQ(command_output({"false"}), std::nullopt);
}

TEST(CommandOutput, DeathBySignalGivesNothing) {
    EXPECT_EQ(command_output({"sh", "-c", "echo partial; kill -9 $$"}), std::nullopt);
}

TEST(CommandOutput, MissingProgramOrEmptyArgvGivesNothing) {
    EXPECT_EQ(command_output({"blackbox-no-such-program-1f3a"}), std::nullopt);
    EXPECT_EQ(command_output({"/nonexistent/dir/git"}), std::nullopt);
    EXPECT_EQ(command_output({}), std::nullopt);
}

TEST(CommandOutput, StderrIsDiscardedAndStdinIsEmpty) {
    EXPECT_EQ(command_output({"sh", "-c", "echo noise >&2; cat; echo done"}), "done\n");
}

TEST(CommandOutput, SlowCommandIsKilledAtTheDeadline) {
    auto start = Clock::now();
    EXPECT_EQ(command_output({"sleep", "30"}, {milliseconds(200), 1024}), std::nullopt);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}

TEST(CommandOutput, CommandThatClosesStdoutButKeepsRunningIsKilled) {
    auto start = Clock::now();
    EXPECT_EQ(command_output({"sh", "-c", "exec >&-; sleep 30"}, {milliseconds(200), 1024}),
              std::nullopt);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}

TEST(CommandOutput, GrandchildrenHoldingThePipeDieWithTheCommand) {
    // The background sleep keeps the pipe open: only killing the whole group ends the wait.
    auto start = Clock::now();
    EXPECT_EQ(command_output({"sh", "-c", "sleep 30 & wait"}, {milliseconds(200), 1024}),
              std::nullopt);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}

TEST(CommandOutput, OutputBeyondTheLimitIsDroppedWithoutBlocking) {
    auto output = command_output({"head", "-c", "1000000", "/dev/zero"}, {milliseconds(5000), 10});
    ASSERT_TRUE(output);
    EXPECT_EQ(*output, std::string(10, '\0'));
}

TEST(FindProgram, SearchesThePathInOrder) {
    EXPECT_EQ(find_program("sh", "/nonexistent:/bin:/usr/bin"), "/bin/sh");
    EXPECT_EQ(find_program("sh", "/nonexistent"), std::nullopt);
    EXPECT_EQ(find_program("/bin/sh", ""), "/bin/sh");
    EXPECT_EQ(find_program("", "/bin"), std::nullopt);
}

TEST(FindProgram, DirectoriesAndNonExecutablesAreSkipped) {
    EXPECT_EQ(find_program("bin", "/"), std::nullopt);            // /bin is a directory
    EXPECT_EQ(find_program("os-release", "/etc"), std::nullopt);  // not executable
}

}  // namespace
}  // namespace blackbox::context
