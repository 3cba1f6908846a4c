#include <fstream>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <blackbox/supervise/command_lookup.hpp>

#include "session_support.hpp"

namespace blackbox::supervise {
namespace {

using test_support::TempDir;

void make_file(const std::filesystem::path& path, mode_t mode) {
    std::ofstream(path) << "#!/bin/sh\n";
    ::chmod(path.c_str(), mode);
}

TEST(CommandLookup, FindsTheFirstExecutableOnThePath) {
    TempDir dir;
    std::filesystem::create_directories(dir / "a");
    std::filesystem::create_directories(dir / "b");
    make_file(dir / "a" / "tool", 0644);  // not executable: skipped, as execvp would
    make_file(dir / "b" / "tool", 0755);
    auto path = (dir / "a").string() + ":" + (dir / "b").string();
    EXPECT_EQ(find_executable("tool", path), dir / "b" / "tool");
}

TEST(CommandLookup, MissingCommandIsNullopt) {
    TempDir dir;
    EXPECT_EQ(find_executable("no-such-tool", dir.path().string()), std::nullopt);
    EXPECT_EQ(find_executable("", "/bin:/usr/bin"), std::nullopt);
}

TEST(CommandLookup, NameWithSlashIsNotSearched) {
    TempDir dir;
    make_file(dir / "tool", 0755);
    EXPECT_EQ(find_executable((dir / "tool").string(), ""), dir / "tool");
    EXPECT_EQ(find_executable((dir / "other").string(), dir.path().string()), std::nullopt);
}

TEST(CommandLookup, DirectoryIsNotAnExecutable) {
    TempDir dir;
    std::filesystem::create_directories(dir / "tool");
    EXPECT_EQ(find_executable("tool", dir.path().string()), std::nullopt);
}

TEST(CommandLookup, FindsShInTheDefaultSearchPath) {
    EXPECT_TRUE(find_executable("sh", default_search_path()));
}

}  // namespace
}  // namespace blackbox::supervise
