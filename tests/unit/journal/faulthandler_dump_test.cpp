#include <csignal>

#include <gtest/gtest.h>

#include <blackbox/journal/faulthandler_dump.hpp>

namespace blackbox::journal {
namespace {

constexpr const char* kSegfault = R"(Fatal Python error: Segmentation fault

Current thread 0x00007f3a1c2b7740 (most recent call first):
  File "/tmp/p/tests/test_crash.py", line 7 in test_segv
  File "/usr/lib/python3/dist-packages/_pytest/python.py", line 195 in pytest_pyfunc_call
  File "/usr/lib/python3/dist-packages/pluggy/_callers.py", line 39 in _multicall

Extension modules: _cffi_backend (total: 1)
)";

TEST(FaulthandlerDump, ReadsTheSignalAndTheInnermostFrames) {
    auto dump = parse_last_dump(kSegfault);
    ASSERT_TRUE(dump);
    EXPECT_TRUE(dump->fatal);
    EXPECT_EQ(dump->error, "Segmentation fault");
    EXPECT_EQ(dump->signal, SIGSEGV);
    ASSERT_EQ(dump->frames.size(), 3U);
    EXPECT_EQ(dump->frames[0], "File \"/tmp/p/tests/test_crash.py\", line 7 in test_segv");
    EXPECT_NE(dump->text.find("Extension modules"), std::string::npos);
}

TEST(FaulthandlerDump, TakesTheLastFatalErrorAndTheCurrentThread) {
    std::string text = std::string(kSegfault) + R"(Fatal Python error: Aborted

Thread 0x00007f0000000001 (most recent call first):
  File "/tmp/p/worker.py", line 3 in loop

Current thread 0x00007f0000000002 (most recent call first):
  File "/tmp/p/tests/test_abort.py", line 5 in test_abort
)";
    auto dump = parse_last_dump(text);
    ASSERT_TRUE(dump);
    EXPECT_EQ(dump->signal, SIGABRT);
    ASSERT_EQ(dump->frames.size(), 1U);
    EXPECT_EQ(dump->frames[0], "File \"/tmp/p/tests/test_abort.py\", line 5 in test_abort");
    EXPECT_EQ(dump->text.rfind("Fatal Python error: Aborted", 0), 0U);
}

TEST(FaulthandlerDump, NamesEveryFatalSignal) {
    EXPECT_EQ(signal_for_fatal_error("Bus error"), SIGBUS);
    EXPECT_EQ(signal_for_fatal_error("Floating-point exception"), SIGFPE);
    EXPECT_EQ(signal_for_fatal_error("Floating point exception"), SIGFPE);
    EXPECT_EQ(signal_for_fatal_error("Illegal instruction"), SIGILL);
    EXPECT_EQ(signal_for_fatal_error("Cannot recover from stack overflow."), std::nullopt);
}

TEST(FaulthandlerDump, ADumpOnRequestStartsAtItsMarker) {
    auto dump = parse_last_dump(R"(# blackbox: memory at 91% of the limit
Current thread 0x1 (most recent call first):
  File "/tmp/a.py", line 1 in old
# blackbox: hang after 30.0 s
Thread 0x2 (most recent call first):
  File "/tmp/b.py", line 9 in helper

Current thread 0x1 (most recent call first):
  File "/tmp/c.py", line 4 in test_hang
)");
    ASSERT_TRUE(dump);
    EXPECT_FALSE(dump->fatal);
    EXPECT_FALSE(dump->signal);
    ASSERT_EQ(dump->frames.size(), 1U);
    EXPECT_EQ(dump->frames[0], "File \"/tmp/c.py\", line 4 in test_hang");
    EXPECT_EQ(dump->text.find("old"), std::string::npos);
}

TEST(FaulthandlerDump, AnEmptyOrForeignFileHasNoDump) {
    EXPECT_FALSE(parse_last_dump(""));
    EXPECT_FALSE(parse_last_dump("hello\nworld\n"));
}

TEST(FaulthandlerDump, BoundsAHugeStack) {
    std::string text =
        "Fatal Python error: Segmentation fault\n\nCurrent thread 0x1 (most recent "
        "call first):\n";
    for (int i = 0; i < 10000; ++i) {
        text += "  File \"/tmp/deep.py\", line 3 in recurse\n";
    }
    auto dump = parse_last_dump(text);
    ASSERT_TRUE(dump);
    EXPECT_LE(dump->text.size(), kMaxDumpBytes);
    EXPECT_EQ(dump->frames.size(), 10000U);
}

}  // namespace
}  // namespace blackbox::journal
