// A dead process's native stacks as the post-mortem reads them: the last record of its native
// file, named; else the C stack Python 3.14's faulthandler printed; else none.

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <blackbox/postmortem/native_evidence.hpp>

#include "../scratch_dir.hpp"

namespace blackbox::postmortem {
namespace {

// Two frames at addresses no mapping holds: they keep their addresses, named or not.
const char* const kDump =
    "record dump id=0 pid=7 ns=100 threads=1\n"
    "thread tid=7 pthread=0x7f0000000100 name=python3 record=0\n"
    "frame 0x10\n"
    "end thread frames=1\n"
    "maps\n"
    "end maps\n"
    "end record id=0 answered=1 of=1\n";
const char* const kFatal =
    "record fatal id=1 signal=11 code=1 addr=0x0 pid=7 ns=200\n"
    "thread tid=7 pthread=0x7f0000000100 name=python3 record=1\n"
    "frame 0x20\n"
    "frame 0x30\n"
    "end thread frames=2\n"
    "maps\n"
    "end maps\n"
    "end record id=1\n";
const char* const kFaulthandler314 =
    "Fatal Python error: Segmentation fault\n\n"
    "Current thread 0x00007f3a1c2b7740 [pytest] (most recent call first):\n"
    "  File \"/p/test_native.py\", line 7 in test_crash\n\n"
    "Current thread's C stack trace (most recent call first):\n"
    "  Binary file \"/home/u/proj/_native.so\", at _ZN6native5crashEPi+0x11 [0x7f3a1b8f1131]\n"
    "  Binary file \"/usr/bin/python3.14\" [0x4d5e6f]\n";

TEST(NativeEvidence, TheLastRecordOfTheFileIsTheDeath) {
    testing::ScratchDir scratch;
    std::ofstream(scratch / "1-main-7.txt") << kDump << kFatal;
    std::vector<std::string> warnings;
    auto evidence = read_native_evidence(scratch / "1-main-7.txt", kFaulthandler314, warnings);
    ASSERT_TRUE(evidence);
    EXPECT_EQ(evidence->source, "handler");  // ours, even when faulthandler printed one too
    EXPECT_EQ(evidence->stacks.kind, native::RawRecord::Kind::fatal);
    EXPECT_EQ(evidence->stacks.signal, 11);
    ASSERT_EQ(evidence->stacks.threads.size(), 1U);
    ASSERT_EQ(evidence->stacks.threads[0].frames.size(), 2U);
    EXPECT_EQ(evidence->stacks.threads[0].frames[1].pc, 0x30U);
    EXPECT_TRUE(warnings.empty());
}

TEST(NativeEvidence, WithoutOurRecordPython314sCStackIsUsed) {
    testing::ScratchDir scratch;
    std::vector<std::string> warnings;
    auto evidence = read_native_evidence(scratch / "missing.txt", kFaulthandler314, warnings);
    ASSERT_TRUE(evidence);
    EXPECT_EQ(evidence->source, "faulthandler");
    ASSERT_EQ(evidence->stacks.threads.size(), 1U);
    const auto& frames = evidence->stacks.threads[0].frames;
    ASSERT_EQ(frames.size(), 2U);
    EXPECT_EQ(frames[0].function, "native::crash(int*)");
    EXPECT_EQ(frames[0].object, "/home/u/proj/_native.so");
    EXPECT_TRUE(warnings.empty());  // a missing file is no oddity: the library may be absent
}

TEST(NativeEvidence, NeitherIsNone) {
    testing::ScratchDir scratch;
    std::vector<std::string> warnings;
    EXPECT_FALSE(read_native_evidence(scratch / "missing.txt",
                                      std::string("Fatal Python error: Aborted\n"), warnings));
    EXPECT_FALSE(read_native_evidence(scratch / "missing.txt", std::nullopt, warnings));
}

TEST(NativeEvidence, APlantedLinkIsNotFollowed) {
    testing::ScratchDir scratch;
    std::ofstream(scratch / "elsewhere.txt") << kFatal;
    std::filesystem::create_symlink(scratch / "elsewhere.txt", scratch / "1-main-7.txt");
    std::vector<std::string> warnings;
    EXPECT_FALSE(read_native_evidence(scratch / "1-main-7.txt", std::nullopt, warnings));
    ASSERT_EQ(warnings.size(), 1U);
    EXPECT_NE(warnings[0].find("symbolic link"), std::string::npos) << warnings[0];
}

}  // namespace
}  // namespace blackbox::postmortem
