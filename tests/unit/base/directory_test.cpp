#include <cerrno>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/base/directory.hpp>
#include <blackbox/base/error.hpp>

#include "../scratch_dir.hpp"

namespace blackbox::base {
namespace {

namespace fs = std::filesystem;

using testing::text_of;

TEST(Directory, CreatesFilesExclusivelyAndNeverThroughALink) {
    testing::ScratchDir dir;
    std::ofstream(dir / "target") << "precious";
    fs::create_symlink(dir / "target", dir / "output.log");
    auto directory = Directory::open(dir.path());
    EXPECT_FALSE(directory.create_file("output.log"));
    EXPECT_FALSE(directory.open_append("output.log"));
    EXPECT_FALSE(open_for_append(AT_FDCWD, (dir / "output.log").c_str()));
    EXPECT_EQ(text_of(dir / "target"), "precious");
    // A hard link leads elsewhere just as well.
    fs::create_hard_link(dir / "target", dir / "samples.jsonl");
    EXPECT_FALSE(directory.open_append("samples.jsonl"));
    EXPECT_EQ(text_of(dir / "target"), "precious");
    auto fresh = directory.create_file("new.log");
    ASSERT_TRUE(fresh);
    EXPECT_FALSE(directory.create_file("new.log"));  // exclusive
}

TEST(Directory, OpenForAppendRefusesAFifoWithoutWaiting) {
    testing::ScratchDir dir;
    ASSERT_EQ(::mkfifo((dir / "supervisor.jsonl").c_str(), 0644), 0);
    auto directory = Directory::open(dir.path());
    EXPECT_FALSE(directory.open_append("supervisor.jsonl"));
}

TEST(Directory, RefusesASubdirectoryThatIsALink) {
    testing::ScratchDir dir;
    fs::create_directory(dir / "elsewhere");
    fs::create_directory_symlink(dir / "elsewhere", dir / "journal");
    auto directory = Directory::open(dir.path());
    try {
        directory.subdirectory("journal");
        FAIL() << "a linked subdirectory was opened";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("a symbolic link, not a directory"),
                  std::string::npos)
            << error.what();
    }
    auto made = directory.subdirectory("capture");
    EXPECT_TRUE(fs::is_directory(dir / "capture"));
    EXPECT_TRUE(made.valid());
}

TEST(Directory, WritesAtomicallyOverALinkWithoutTouchingItsTarget) {
    testing::ScratchDir dir;
    std::ofstream(dir / "target") << "precious";
    fs::create_symlink(dir / "target", dir / "end.json");
    auto directory = Directory::open(dir.path());
    directory.write_atomically("end.json", "{}\n");
    EXPECT_EQ(text_of(dir / "target"), "precious");
    EXPECT_FALSE(fs::is_symlink(dir / "end.json"));
    EXPECT_EQ(text_of(dir / "end.json"), "{}\n");
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) {
        ++entries;
    }
    EXPECT_EQ(entries, 2U);  // no temporary left
}

TEST(Directory, RemovesATreeWithoutFollowingLinks) {
    testing::ScratchDir dir;
    fs::create_directories(dir / "outside");
    std::ofstream(dir / "outside" / "keep") << "x";
    fs::create_directories(dir / "run" / "journal");
    std::ofstream(dir / "run" / "journal" / "1-main-1.jsonl") << "{}";
    fs::create_directory_symlink(dir / "outside", dir / "run" / "capture");
    auto directory = Directory::open(dir.path());
    EXPECT_TRUE(directory.remove_tree("run"));
    EXPECT_FALSE(fs::exists(dir / "run"));
    EXPECT_TRUE(fs::exists(dir / "outside" / "keep"));
}

TEST(Directory, SaysWhetherItIsEmpty) {
    testing::ScratchDir dir;
    auto directory = Directory::open(dir.path());
    EXPECT_TRUE(directory.empty());
    std::ofstream(dir / "x") << "";
    EXPECT_FALSE(directory.empty());
}

}  // namespace
}  // namespace blackbox::base
