#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include <blackbox/supervise/output_log.hpp>

#include "../file_size_limit.hpp"
#include "../scratch_dir.hpp"

namespace blackbox::supervise {
namespace {

namespace fs = std::filesystem;

using testing::text_of;

TEST(OutputLog, KeepsEveryByteWithoutACap) {
    testing::ScratchDir dir;
    OutputLog log(dir / "output.log");
    log.write("hello ", 6);
    log.write("world\n", 6);
    EXPECT_EQ(text_of(dir / "output.log"), "hello world\n");
    EXPECT_FALSE(log.error());
}

TEST(OutputLog, NeverWritesThroughALinkNorOverAFile) {
    testing::ScratchDir dir;
    std::ofstream(dir / "target") << "precious";
    fs::create_symlink(dir / "target", dir / "output.log");
    OutputLog log(dir / "output.log");
    EXPECT_TRUE(log.error());
    log.write("overwrite", 9);
    EXPECT_EQ(text_of(dir / "target"), "precious");
    std::ofstream(dir / "old.log") << "old";
    OutputLog again(dir / "old.log");
    EXPECT_TRUE(again.error());
    EXPECT_EQ(text_of(dir / "old.log"), "old");
}

TEST(OutputLog, ACappedLogKeepsTheHeadTheTailAndSaysWhatWasLeftOut) {
    testing::ScratchDir dir;
    constexpr std::uint64_t kCap = 64 * 1024;
    OutputLog log(dir / "output.log", kCap);
    std::uint64_t total = 0;
    for (int i = 0; i < 100000; ++i) {  // ~1.4 MB of numbered lines
        auto line = "line " + std::to_string(i) + "\n";
        log.write(line.data(), line.size());
        total += line.size();
    }
    auto text = text_of(dir / "output.log");
    EXPECT_LE(text.size(), kCap);
    EXPECT_GE(text.size(), kCap / 2);
    EXPECT_TRUE(text.starts_with("line 0\nline 1\n"));
    EXPECT_TRUE(text.ends_with("line 99998\nline 99999\n"));
    auto marker = text.find("[blackbox: output.log keeps at most 64 KiB:");
    ASSERT_NE(marker, std::string::npos);
    EXPECT_EQ(text.find("[blackbox:", marker + 1), std::string::npos);  // one marker
    // The marker's count is exactly what is missing (the marker line starts with its "\n").
    const auto marker_size = text.find("]\n", marker) + 2 - (marker - 1);
    EXPECT_EQ(log.cut_bytes() + text.size(), total + marker_size);
    EXPECT_NE(text.find(std::to_string(log.cut_bytes()) + " bytes of output left out"),
              std::string::npos);
    // The tail starts on a line of its own.
    auto after = text.find("]\n", marker) + 2;
    EXPECT_EQ(text.compare(after, 5, "line "), 0);
    EXPECT_FALSE(log.loss());
}

TEST(OutputLog, AFullDiskLosesOutputNotTheRunAndTheLogSaysWhere) {
    testing::ScratchDir dir;
    OutputLog log(dir / "output.log");
    log.write("before\n", 7);
    {
        testing::FileSizeLimit full(7);  // no room for one byte more
        log.write("during the full disk\n", 21);
        EXPECT_TRUE(log.error());
        ASSERT_TRUE(log.loss());
        EXPECT_EQ(log.loss()->amount, 21U);
    }
    log.write("after\n", 6);
    auto text = text_of(dir / "output.log");
    EXPECT_TRUE(text.starts_with("before\n"));
    EXPECT_NE(text.find("[blackbox: 21 bytes of output lost here: File too large]"),
              std::string::npos)
        << text;
    EXPECT_TRUE(text.ends_with("after\n"));
}

}  // namespace
}  // namespace blackbox::supervise
