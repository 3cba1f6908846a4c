#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/base/error.hpp>
#include <blackbox/rundir/run_directory.hpp>

namespace blackbox::rundir {
namespace {

namespace fs = std::filesystem;

class RunDirectory : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("blackbox-rundir-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_);
    }
    void TearDown() override { fs::remove_all(root_); }
    fs::path root_;
};

TEST_F(RunDirectory, CreatesTheLayoutTheGitignoreAndTheLatestLink) {
    auto state = state_dir(root_);
    auto dir = create_run_directory(state, "20260101T000000Z-abcdef");
    EXPECT_TRUE(fs::is_directory(dir / "journal"));
    EXPECT_TRUE(fs::is_directory(dir / "collected"));
    EXPECT_TRUE(fs::is_directory(dir / "faulthandler"));
    EXPECT_TRUE(fs::is_regular_file(state / ".gitignore"));
    update_latest_link(state, dir);
    EXPECT_EQ(fs::read_symlink(state / "latest"), fs::path("runs/20260101T000000Z-abcdef"));
    EXPECT_EQ(fs::canonical(state / "latest"), fs::canonical(dir));
}

TEST_F(RunDirectory, RunIdsSortByTimeAndDiffer) {
    auto a = new_run_id(1'700'000'000'000'000'000);
    auto b = new_run_id(1'700'000'001'000'000'000);
    EXPECT_LT(a, b);
    EXPECT_EQ(a.size(), std::string("20231114T221320Z-abcdef").size());
    EXPECT_NE(new_run_id(1), new_run_id(1));
}

TEST_F(RunDirectory, AnUncreatableDirectoryIsAClearError) {
    std::ofstream(root_ / "file") << "x";
    EXPECT_THROW(create_run_directory(state_dir(root_), "id", root_ / "file" / "run"), Error);
}

TEST_F(RunDirectory, PrunesTheOldestRunsButNeverTheCurrentOne) {
    auto state = state_dir(root_);
    for (const char* id :
         {"20260101T000001Z-a", "20260101T000002Z-b", "20260101T000003Z-c", "20260101T000004Z-d"}) {
        create_run_directory(state, id);
    }
    EXPECT_EQ(prune_runs(state, 2, state / "runs" / "20260101T000004Z-d"), 2U);
    EXPECT_FALSE(fs::exists(state / "runs" / "20260101T000001Z-a"));
    EXPECT_FALSE(fs::exists(state / "runs" / "20260101T000002Z-b"));
    EXPECT_TRUE(fs::exists(state / "runs" / "20260101T000003Z-c"));
    EXPECT_EQ(prune_runs(state, 5, {}), 0U);
}

TEST_F(RunDirectory, PruningKeepsTheCurrentRunEvenWhenItsNameSortsFirst) {
    auto state = state_dir(root_);
    for (const char* id : {"20260101T000001Z-0", "20260101T000001Z-f", "20260101T000001Z-a"}) {
        create_run_directory(state, id);
    }
    EXPECT_EQ(prune_runs(state, 2, state / "runs" / "20260101T000001Z-0"), 1U);
    EXPECT_TRUE(fs::exists(state / "runs" / "20260101T000001Z-0"));
    EXPECT_TRUE(fs::exists(state / "runs" / "20260101T000001Z-f"));
}

}  // namespace
}  // namespace blackbox::rundir
