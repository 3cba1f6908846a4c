#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/context/command_output.hpp>
#include <blackbox/context/git_state.hpp>

#include "fake_sources.hpp"

namespace blackbox::context {
namespace {

using testing::FakeSources;

const std::vector<std::string> kCommit{"git",      "-C",      "/p",  "rev-parse",
                                       "--verify", "--quiet", "HEAD"};
const std::vector<std::string> kBranch{"git",     "-C",      "/p",  "symbolic-ref",
                                       "--quiet", "--short", "HEAD"};
const std::vector<std::string> kStatus{
    "git", "-C", "/p", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"};
constexpr const char* kHash = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

TEST(GitState, CleanTreeOnABranch) {
    FakeSources sources;
    sources.outputs = {{kCommit, std::string(kHash) + "\n"}, {kBranch, "main\n"}, {kStatus, ""}};
    auto state = probe_git(sources, "/p");
    ASSERT_TRUE(state);
    EXPECT_EQ(state->commit, kHash);
    EXPECT_EQ(state->branch, "main");
    EXPECT_EQ(state->dirty, false);
}

TEST(GitState, ModifiedTrackedFileMakesItDirty) {
    FakeSources sources;
    sources.outputs = {{kCommit, kHash}, {kBranch, "main"}, {kStatus, " M src/a.cpp\n"}};
    EXPECT_EQ(probe_git(sources, "/p")->dirty, true);
}

TEST(GitState, DetachedHeadHasACommitButNoBranch) {
    FakeSources sources;
    sources.outputs = {{kCommit, kHash}, {kStatus, ""}};
    auto state = probe_git(sources, "/p");
    ASSERT_TRUE(state);
    EXPECT_EQ(state->commit, kHash);
    EXPECT_EQ(state->branch, std::nullopt);
}

TEST(GitState, RepositoryWithoutCommitsHasABranchButNoCommit) {
    FakeSources sources;
    sources.outputs = {{kBranch, "main\n"}, {kStatus, ""}};
    auto state = probe_git(sources, "/p");
    ASSERT_TRUE(state);
    EXPECT_EQ(state->commit, std::nullopt);
    EXPECT_EQ(state->branch, "main");
}

TEST(GitState, NotARepositoryOrNoGitGivesNothingAndSkipsStatus) {
    FakeSources sources;
    EXPECT_EQ(probe_git(sources, "/p").has_value(), false);
    EXPECT_EQ(sources.commands_run.size(), 2u);
}

TEST(GitState, StatusThatFailsLeavesDirtyUnknown) {
    FakeSources sources;
    sources.outputs = {{kCommit, kHash}, {kBranch, "main"}};
    EXPECT_EQ(probe_git(sources, "/p")->dirty, std::nullopt);
}

TEST(GitState, WithoutADirectoryGitRunsInTheWorkingDirectory) {
    FakeSources sources;
    probe_git(sources, std::nullopt);
    ASSERT_FALSE(sources.commands_run.empty());
    EXPECT_EQ(sources.commands_run[0],
              (std::vector<std::string>{"git", "rev-parse", "--verify", "--quiet", "HEAD"}));
}

// The real git on a real repository, when git is installed.
class GitStateInARealRepository : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!command_output({"git", "--version"})) {
            GTEST_SKIP() << "git is not installed";
        }
        char pattern[] = "/tmp/blackbox-git-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        directory_ = pattern;
    }
    void TearDown() override {
        if (!directory_.empty()) {
            std::filesystem::remove_all(directory_);
        }
    }
    void git(std::vector<std::string> arguments) {
        std::vector<std::string> argv{
            "git", "-C", directory_, "-c", "user.name=t", "-c", "user.email=t@example.com"};
        argv.insert(argv.end(), arguments.begin(), arguments.end());
        ASSERT_TRUE(command_output(argv)) << arguments[0];
    }
    std::string directory_;
};

TEST_F(GitStateInARealRepository, SeesCommitBranchAndDirtiness) {
    git({"init", "-q", "-b", "trunk"});
    auto unborn = probe_git(system_sources(), directory_);
    ASSERT_TRUE(unborn);
    EXPECT_EQ(unborn->commit, std::nullopt);
    EXPECT_EQ(unborn->branch, "trunk");

    std::ofstream(directory_ + "/a.txt") << "one\n";
    git({"add", "a.txt"});
    git({"commit", "-q", "-m", "first"});
    auto clean = probe_git(system_sources(), directory_);
    ASSERT_TRUE(clean);
    ASSERT_TRUE(clean->commit);
    EXPECT_EQ(clean->commit->size(), 40u);
    EXPECT_EQ(clean->branch, "trunk");
    EXPECT_EQ(clean->dirty, false);

    std::ofstream(directory_ + "/untracked.txt") << "x\n";
    EXPECT_EQ(probe_git(system_sources(), directory_)->dirty, false);
    std::ofstream(directory_ + "/a.txt") << "two\n";
    EXPECT_EQ(probe_git(system_sources(), directory_)->dirty, true);

    git({"checkout", "-q", "--detach"});
    EXPECT_EQ(probe_git(system_sources(), directory_)->branch, std::nullopt);
}

TEST_F(GitStateInARealRepository, DirectoryOutsideAnyRepositoryGivesNothing) {
    // GIT_CEILING_DIRECTORIES would be needed if /tmp itself were in a repository; it is not.
    EXPECT_EQ(probe_git(system_sources(), directory_).has_value(), false);
}

}  // namespace
}  // namespace blackbox::context
