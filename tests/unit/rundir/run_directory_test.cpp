#include <csignal>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/base/directory.hpp>
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
    auto dir = create_run_directory(state, "20260101T000000Z-abcdef").path;
    EXPECT_TRUE(fs::is_directory(dir / "journal"));
    EXPECT_TRUE(fs::is_directory(dir / "collected"));
    EXPECT_TRUE(fs::is_directory(dir / "faulthandler"));
    EXPECT_TRUE(fs::is_directory(dir / "native"));
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

TEST_F(RunDirectory, AnExplicitRunDirectoryMustBeNewOrEmpty) {
    auto state = state_dir(root_);
    create_run_directory(state, "id", root_ / "fresh");
    fs::create_directories(root_ / "empty");
    create_run_directory(state, "id", root_ / "empty");
    // A directory holding things (here a planted link) is never recorded into.
    fs::create_directories(root_ / "used");
    fs::create_symlink("/etc/passwd", root_ / "used" / "output.log");
    try {
        create_run_directory(state, "id", root_ / "used");
        FAIL() << "recorded into a directory that is not empty";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("is not empty"), std::string::npos);
    }
}

TEST_F(RunDirectory, TheRecordingHoldsItsRunUntilItEnds) {
    auto state = state_dir(root_);
    {
        auto made = create_run_directory(state, "20260101T000001Z-a");
        EXPECT_TRUE(run_is_held(made.path));
    }
    EXPECT_FALSE(run_is_held(state / "runs" / "20260101T000001Z-a"));
}

TEST_F(RunDirectory, PruningSkipsARunALiveProcessHolds) {
    auto state = state_dir(root_);
    for (const char* id : {"20260101T000001Z-a", "20260101T000002Z-b", "20260101T000003Z-c"}) {
        create_run_directory(state, id);  // released at once: an ended run
    }
    auto current = create_run_directory(state, "20260101T000004Z-d");
    // Another recording holds the oldest run, from a process of its own.
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t holder = ::fork();
    ASSERT_GE(holder, 0);
    if (holder == 0) {
        auto run = base::Directory::open(state / "runs" / "20260101T000001Z-a");
        char ok = hold_run(run) ? '1' : '0';
        (void)!::write(ready[1], &ok, 1);
        ::pause();
        ::_exit(0);
    }
    char ok = '0';
    ASSERT_EQ(::read(ready[0], &ok, 1), 1);
    ASSERT_EQ(ok, '1');
    EXPECT_EQ(prune_runs(state, 1, current.path), 2U);
    EXPECT_TRUE(fs::exists(state / "runs" / "20260101T000001Z-a"));  // held: kept
    EXPECT_FALSE(fs::exists(state / "runs" / "20260101T000002Z-b"));
    EXPECT_FALSE(fs::exists(state / "runs" / "20260101T000003Z-c"));
    EXPECT_TRUE(fs::exists(current.path));
    // The kernel drops the lock with its holder.
    ::kill(holder, SIGKILL);
    ::waitpid(holder, nullptr, 0);
    ::close(ready[0]);
    ::close(ready[1]);
    EXPECT_EQ(prune_runs(state, 1, current.path), 1U);
    EXPECT_FALSE(fs::exists(state / "runs" / "20260101T000001Z-a"));
}

TEST_F(RunDirectory, PruningDeletesOnlyRunsAndNeverFollowsALink) {
    auto state = state_dir(root_);
    fs::create_directories(state / "runs" / "my-notes");
    fs::create_directories(root_ / "precious");
    std::ofstream(root_ / "precious" / "file") << "x";
    fs::create_directory_symlink(root_ / "precious", state / "runs" / "20250101T000000Z-00");
    for (const char* id : {"20260101T000001Z-a", "20260101T000002Z-b"}) {
        create_run_directory(state, id);
    }
    EXPECT_EQ(prune_runs(state, 1, {}), 1U);
    EXPECT_TRUE(fs::exists(state / "runs" / "my-notes"));
    EXPECT_TRUE(fs::exists(root_ / "precious" / "file"));
    EXPECT_TRUE(fs::is_symlink(state / "runs" / "20250101T000000Z-00"));
    EXPECT_TRUE(fs::exists(state / "runs" / "20260101T000002Z-b"));
}

TEST(RunIds, HaveTheirShape) {
    EXPECT_TRUE(is_run_id("20261122T042119Z-3fa9c1"));
    EXPECT_TRUE(is_run_id("20260101T000001Z-a"));
    EXPECT_FALSE(is_run_id("my-notes"));
    EXPECT_FALSE(is_run_id("20261122T042119Z-"));
    EXPECT_FALSE(is_run_id("20261122T042119Z-XYZ"));
    EXPECT_FALSE(is_run_id("2026112xT042119Z-3fa9c1"));
}

}  // namespace
}  // namespace blackbox::rundir
