#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/base/regular_file.hpp>

#include "../scratch_dir.hpp"

namespace blackbox::base {
namespace {

namespace fs = std::filesystem;

TEST(RegularFile, ReadsARegularFile) {
    testing::ScratchDir dir;
    std::ofstream(dir / "a.json") << "{}";
    auto read = read_regular_file(dir / "a.json", 100);
    ASSERT_TRUE(read.text);
    EXPECT_EQ(*read.text, "{}");
}

TEST(RegularFile, AMissingFileIsMissingNotAnError) {
    testing::ScratchDir dir;
    auto read = read_regular_file(dir / "none", 100);
    EXPECT_FALSE(read.text);
    EXPECT_TRUE(read.missing);
}

TEST(RegularFile, NeverFollowsASymbolicLink) {
    testing::ScratchDir dir;
    std::ofstream(dir / "secret") << "secret";
    fs::create_symlink(dir / "secret", dir / "link");
    auto read = read_regular_file(dir / "link", 100);
    EXPECT_FALSE(read.text);
    EXPECT_FALSE(read.missing);
    EXPECT_NE(read.error.find("symbolic link"), std::string::npos) << read.error;
}

TEST(RegularFile, NeverWaitsOnAFifoOrADevice) {
    testing::ScratchDir dir;
    ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0644), 0);
    // Without O_NONBLOCK this open would wait for a writer forever.
    auto opened = open_regular_file(dir / "fifo");
    EXPECT_FALSE(opened.fd);
    EXPECT_NE(opened.error.find("FIFO"), std::string::npos) << opened.error;
    auto zero = read_regular_file("/dev/zero", 100);
    EXPECT_FALSE(zero.text);
    EXPECT_NE(zero.error.find("character device"), std::string::npos) << zero.error;
}

TEST(RegularFile, ReadsAreBoundedOrKeepTheTail) {
    testing::ScratchDir dir;
    std::ofstream(dir / "big") << std::string(1000, 'a') << "END";
    auto whole = read_regular_file(dir / "big", 100);
    EXPECT_FALSE(whole.text);
    EXPECT_NE(whole.error.find("larger than 100 bytes"), std::string::npos);
    auto tail = read_regular_file(dir / "big", 10, /*keep_tail=*/true);
    ASSERT_TRUE(tail.text);
    EXPECT_EQ(*tail.text, "aaaaaaaEND");
    EXPECT_TRUE(tail.cut);
}

TEST(RegularFile, TheDescriptorBlocksAgain) {
    testing::ScratchDir dir;
    std::ofstream(dir / "f") << "x";
    auto opened = open_regular_file(dir / "f");
    ASSERT_TRUE(opened.fd);
    EXPECT_EQ(::fcntl(opened.fd.get(), F_GETFL) & O_NONBLOCK, 0);
}

}  // namespace
}  // namespace blackbox::base
