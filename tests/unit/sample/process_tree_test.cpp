#include <algorithm>
#include <chrono>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/sample/process_tree.hpp>

#include "sample_support.hpp"

namespace blackbox::sample {
namespace {

using test_support::FakeProc;
using test_support::kRecordedRoot;
using test_support::recorded;

std::vector<pid_t> pids_of(const TreeSample& tree) {
    std::vector<pid_t> pids;
    for (const ProcessMemory& process : tree.procs) {
        pids.push_back(process.pid);
    }
    return pids;
}

TEST(ProcessTree, FollowsChildrenFilesOfEveryThread) {
    // The root's main thread forked sleep (7400); its second thread (7401) forked sh (7402),
    // whose two sleeps are 7403 and 7405.
    ProcessTree tree(ProcFs(recorded("hybrid-v1")), kRecordedRoot, 4096);
    EXPECT_EQ(tree.method(), TreeMethod::children_files);
    TreeSample sample = tree.sample();
    EXPECT_EQ(pids_of(sample), (std::vector<pid_t>{7398, 7400, 7402, 7403, 7405}));
    EXPECT_EQ(sample.procs[0].rss, 15782ULL * 4096);  // from stat
    std::uint64_t total = 0;
    for (const ProcessMemory& process : sample.procs) {
        EXPECT_GT(process.rss, 0U);
        total += process.rss;
    }
    EXPECT_EQ(sample.rss, total);
    EXPECT_FALSE(sample.swap);
}

TEST(ProcessTree, ReadsPssOnlyWhenAskedAndSumsIt) {
    ProcessTree tree(ProcFs(recorded("hybrid-v1")), kRecordedRoot, 4096);
    TreeSample sample = tree.sample();
    EXPECT_FALSE(sample.pss);
    EXPECT_FALSE(sample.procs[0].pss);
    tree.read_pss(sample);
    // The smaps_rollup of each process (data README): the sleeps share their libraries.
    EXPECT_EQ(sample.procs[0].pss, 59307U * 1024);
    EXPECT_EQ(sample.procs[1].pss, 142U * 1024);
    EXPECT_EQ(sample.pss, (59307U + 142 + 251 + 142 + 170) * 1024);
    EXPECT_LT(*sample.pss, sample.rss);
}

TEST(ProcessTree, AProcessGoneBeforeItsPssIsReadHoldsNothingAnUnreadableOneHasNoPss) {
    test_support::TempDir dir;
    FakeProc proc;
    proc.add(10, 1, 100, {{10, {11, 12}}});
    proc.add(11, 10, 50);
    proc.add(12, 10, 50);
    proc.write(dir.path());
    test_support::write_file(dir.path(), "/proc/10/smaps_rollup", "Pss: 300 kB\n");
    test_support::write_file(dir.path(), "/proc/11/smaps_rollup", "Pss: 100 kB\n");
    test_support::write_file(dir.path(), "/proc/12/smaps_rollup", "Pss: 100 kB\n");
    ProcessTree tree(ProcFs(dir.path()), 10, 4096);
    TreeSample sample = tree.sample();
    ASSERT_EQ(sample.procs.size(), 3U);
    std::filesystem::remove_all(dir.path() / "proc/12");  // reaped between the walk and the read
    tree.read_pss(sample);
    EXPECT_EQ(sample.procs[2].pss, 0U);
    EXPECT_EQ(sample.pss, 400U * 1024);

    sample = tree.sample();
    test_support::write_file(dir.path(), "/proc/11/smaps_rollup", "garbage\n");
    tree.read_pss(sample);
    EXPECT_EQ(sample.procs[0].pss, 300U * 1024);
    EXPECT_FALSE(sample.procs[1].pss);
    EXPECT_FALSE(sample.pss);  // a sum without one of its terms would be no figure
}

TEST(ProcessTree, WithoutChildrenFilesScansProcForParents) {
    ProcessTree tree(ProcFs(recorded("android")), kRecordedRoot, 4096);
    EXPECT_EQ(tree.method(), TreeMethod::proc_scan);
    TreeSample sample = tree.sample();
    EXPECT_EQ(pids_of(sample), (std::vector<pid_t>{7398, 7400, 7402, 7403, 7405}));
}

TEST(ProcessTree, ReadsSwapOnlyWhenAsked) {
    ProcessTree tree(ProcFs(recorded("android")), kRecordedRoot, 4096);
    EXPECT_FALSE(tree.sample(false).swap);
    EXPECT_EQ(tree.sample(true).swap, 5U * 2048 * 1024);
}

TEST(ProcessTree, ASubtreeStartsAtItsRoot) {
    ProcessTree tree(ProcFs(recorded("hybrid-v1")), 7402, 4096);
    EXPECT_EQ(pids_of(tree.sample()), (std::vector<pid_t>{7402, 7403, 7405}));
}

TEST(ProcessTree, AVanishedRootIsAnEmptyTree) {
    ProcessTree tree(ProcFs(recorded("hybrid-v1")), 4242, 4096);
    TreeSample sample = tree.sample();
    EXPECT_TRUE(sample.procs.empty());
    EXPECT_EQ(sample.rss, 0U);
}

TEST(ProcessTree, ProcessesThatVanishMidWalkAreSkipped) {
    test_support::TempDir dir;
    FakeProc proc;
    // 11 is listed as a child but already gone; 12 exited after the listing.
    proc.add(10, 1, 100, {{10, {11, 12, 13}}});
    proc.add(12, 10, 5);
    proc.add(13, 10, 7);
    proc.write(dir.path());
    std::filesystem::remove(dir.path() / "proc/12/stat");
    ProcessTree tree(ProcFs(dir.path()), 10, 4096);
    TreeSample sample = tree.sample();
    EXPECT_EQ(pids_of(sample), (std::vector<pid_t>{10, 13}));
    EXPECT_EQ(sample.rss, 107U * 4096);
}

TEST(ProcessTree, OrphansAdoptedByTheSubreaperStayInTheTree) {
    test_support::TempDir dir;
    FakeProc proc;
    // 100 is the supervisor (a subreaper): 200 is the command, 300 a daemon a test left behind
    // (reparented to 100 when its parent died), with a child of its own.
    proc.add(100, 1, 1000, {{100, {200}}, {101, {300}}});
    proc.add(200, 100, 10);
    proc.add(300, 100, 20, {{300, {301}}});
    proc.add(301, 300, 30);
    proc.write(dir.path());
    ProcessTree tree(ProcFs(dir.path()), 200, 4096, 100);
    TreeSample sample = tree.sample();
    EXPECT_EQ(pids_of(sample), (std::vector<pid_t>{200, 300, 301}));
    EXPECT_EQ(sample.rss, 60U * 4096);
}

TEST(ProcessTree, OrphansAreFoundByTheScanToo) {
    test_support::TempDir dir;
    FakeProc proc(false);
    proc.add(100, 1, 1000);
    proc.add(200, 100, 10);
    proc.add(300, 100, 20);
    proc.add(301, 300, 30);
    proc.add(400, 1, 40);
    proc.write(dir.path());
    ProcessTree tree(ProcFs(dir.path()), 200, 4096, 100);
    EXPECT_EQ(tree.method(), TreeMethod::proc_scan);
    EXPECT_EQ(pids_of(tree.sample()), (std::vector<pid_t>{200, 300, 301}));
}

TEST(ProcessTree, AScanRefreshesMembershipEveryFewSamplesAndMemoryEverySample) {
    test_support::TempDir dir;
    FakeProc proc(false);
    proc.add(10, 1, 1);
    proc.write(dir.path());
    ProcessTree tree(ProcFs(dir.path()), 10, 4096);
    EXPECT_EQ(tree.sample().procs.size(), 1U);
    proc.add(10, 1, 2);
    proc.add(11, 10, 3);
    proc.write(dir.path());
    for (int i = 1; i < ProcessTree::kScanEvery; ++i) {
        TreeSample sample = tree.sample();
        EXPECT_EQ(pids_of(sample), std::vector<pid_t>{10});
        EXPECT_EQ(sample.rss, 2U * 4096);
    }
    EXPECT_EQ(pids_of(tree.sample()), (std::vector<pid_t>{10, 11}));
}

TEST(ProcessTree, ClosesTheStatmOfProcessesThatLeft) {
    test_support::TempDir dir;
    FakeProc proc;
    proc.add(10, 1, 1, {{10, {11}}});
    proc.add(11, 10, 1);
    proc.write(dir.path());
    ProcessTree tree(ProcFs(dir.path()), 10, 4096);
    tree.sample();
    EXPECT_EQ(tree.tracked(), 2U);
    std::filesystem::remove_all(dir.path() / "proc/11");
    test_support::write_file(dir.path(), "/proc/10/task/10/children", "");
    tree.sample();
    EXPECT_EQ(tree.tracked(), 1U);
}

// --- real processes -------------------------------------------------------------------------

TreeSample wait_for_tree(ProcessTree& tree, std::size_t processes) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    TreeSample sample = tree.sample();
    while (sample.procs.size() < processes && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        sample = tree.sample();
    }
    return sample;
}

TEST(ProcessTree, FindsARealShellAndItsTwoSleeps) {
    test_support::SpawnedGroup shell({"sh", "-c", "sleep 1 & sleep 1 & wait"});
    ProcessTree tree(ProcFs(), shell.pid(), static_cast<std::uint64_t>(::getpagesize()));
    TreeSample sample = wait_for_tree(tree, 3);
    ASSERT_EQ(sample.procs.size(), 3U);
    EXPECT_EQ(sample.procs[0].pid, shell.pid());
    // (A sleep caught in the middle of its exec can hold no resident page yet.)
    EXPECT_GT(sample.procs[0].rss, 0U);
    EXPECT_GE(sample.rss, sample.procs[0].rss);
}

TEST(ProcessTree, ARealChildTouching100MiBShowsInTheTree) {
    constexpr std::uint64_t kBytes = 100ULL << 20;
    test_support::MemoryHog hog(kBytes);
    ProcessTree tree(ProcFs(), ::getpid(), static_cast<std::uint64_t>(::getpagesize()));
    TreeSample sample = tree.sample();
    auto it = std::find_if(sample.procs.begin(), sample.procs.end(),
                           [&](const ProcessMemory& p) { return p.pid == hog.pid(); });
    ASSERT_NE(it, sample.procs.end());
    EXPECT_GE(it->rss, kBytes);
    EXPECT_GE(sample.rss, kBytes);
}

TEST(ProcessTree, AReapedChildLeavesTheTreeAndItsFdIsClosed) {
    std::uint64_t page = static_cast<std::uint64_t>(::getpagesize());
    ProcessTree tree(ProcFs(), ::getpid(), page);
    {
        test_support::MemoryHog hog(1 << 20);
        tree.sample();
        EXPECT_EQ(tree.tracked(), 2U);
    }
    TreeSample sample = tree.sample();
    EXPECT_EQ(sample.procs.size(), 1U);
    EXPECT_EQ(tree.tracked(), 1U);
}

}  // namespace
}  // namespace blackbox::sample
