// The trail joined with the tests on trails no sampler writes: the sums of a process tree's
// figures stay figures (never a negative peak) however large the figures it holds.

#include <fstream>
#include <tuple>

#include <gtest/gtest.h>

#include <blackbox/postmortem/memory_trail.hpp>

#include "../scratch_dir.hpp"

namespace blackbox::postmortem {
namespace {

TEST(MemoryTrail, ATreeOfHugeFiguresSaturatesInsteadOfOverflowing) {
    testing::ScratchDir scratch;
    const auto samples = scratch / "samples.jsonl";
    // Three processes of 2^62 bytes each under pid 100, which is not the command (pid 1).
    std::ofstream(samples) << R"({"ev":"sample","ns":1500,"rss":10,"procs":[[1,10,0],)"
                           << R"([100,4611686018427387904,1],[101,4611686018427387904,100],)"
                           << R"([102,4611686018427387904,100]]})" << '\n';
    RunModel run;
    TestResult test;
    test.nodeid = "t.py::test_a";
    test.outcome = "passed";
    test.pid = 100;
    PhaseResult setup, teardown;
    setup.begin_ns = 1000;
    setup.end_ns = 1100;
    teardown.begin_ns = 1900;
    teardown.end_ns = 2000;
    test.setup = setup;
    test.teardown = teardown;
    run.tests.push_back(test);

    add_memory_trail(run, samples);
    ASSERT_TRUE(run.tests[0].peak_tree_rss_bytes);
    EXPECT_EQ(*run.tests[0].peak_tree_rss_bytes, std::numeric_limits<std::int64_t>::max());
}

constexpr std::int64_t kMiB = 1 << 20;

// A test of pid 100 from 1000 to 2000 ns (its teardown ended then).
TestResult test_of_pid_100(const std::string& nodeid) {
    TestResult test;
    test.nodeid = nodeid;
    test.outcome = "passed";
    test.pid = 100;
    PhaseResult setup, teardown;
    setup.begin_ns = 1000;
    setup.end_ns = 1100;
    teardown.begin_ns = 1900;
    teardown.end_ns = 2000;
    test.setup = setup;
    test.teardown = teardown;
    return test;
}

std::string sample_line(std::int64_t ns, std::int64_t rss, const std::string& procs,
                        const std::string& extra = "") {
    return R"({"ev":"sample","ns":)" + std::to_string(ns) + R"(,"rss":)" + std::to_string(rss) +
           R"(,"procs":[)" + procs + "]" + extra + "}\n";
}

TEST(MemoryTrail, AForkedChildSharingItsParentsPagesDoublesRssNotPss) {
    testing::ScratchDir scratch;
    const auto samples = scratch / "samples.jsonl";
    const std::string mib200 = std::to_string(200 * kMiB), mib100 = std::to_string(100 * kMiB);
    std::ofstream(samples)
        << R"({"ev":"sampler","ns":1,"v":1,"interval_s":0.05,"pss_interval_s":0.25})"
        << '\n'
        // pytest (100) alone, holding 200 MiB: its RSS is the figure.
        << sample_line(900, 200 * kMiB, "[100," + mib200 + ",1]")
        // It forked 101, which shares every page: no PSS read yet, no figure without it.
        << sample_line(1200, 400 * kMiB, "[100," + mib200 + ",1],[101," + mib200 + ",100]")
        // The PSS read: each holds half of the shared pages.
        << sample_line(
               1500, 400 * kMiB,
               "[100," + mib200 + ",1," + mib100 + "],[101," + mib200 + ",100," + mib100 + "]",
               R"(,"pss":)" + mib200)
        << sample_line(2100, 200 * kMiB, "[100," + mib200 + ",1]");
    RunModel run;
    run.tests.push_back(test_of_pid_100("t.py::test_forks"));

    add_memory_trail(run, samples);
    const auto& test = run.tests[0];
    EXPECT_EQ(run.memory.tree_measure, "pss");
    EXPECT_EQ(test.peak_tree_rss_bytes, 400 * kMiB);  // the shared pages counted twice
    EXPECT_EQ(test.tree_rss_growth_bytes, 200 * kMiB);
    EXPECT_EQ(test.peak_tree_pss_bytes, 200 * kMiB);
    EXPECT_EQ(test.tree_pss_added_bytes, 0);
    EXPECT_EQ(test.tree_pss_growth_bytes, 0);
    EXPECT_EQ(run.memory.peak_tree_rss, 400 * kMiB);
    EXPECT_EQ(run.memory.peak_tree_pss, 200 * kMiB);
}

TEST(MemoryTrail, AChildNoPssReadCaughtIsEstimatedFromItsRssAndSaidSo) {
    testing::ScratchDir scratch;
    const auto samples = scratch / "samples.jsonl";
    const std::string mib50 = std::to_string(50 * kMiB), mib200 = std::to_string(200 * kMiB);
    std::ofstream(samples)
        << R"({"ev":"sampler","ns":1,"v":1,"interval_s":0.05,"pss_interval_s":0.25})" << '\n'
        << sample_line(900, 50 * kMiB, "[100," + mib50 + ",1]")
        // A child of 200 MiB lives between two PSS reads: only the RSS samples see it.
        << sample_line(1200, 250 * kMiB, "[100," + mib50 + ",1],[101," + mib200 + ",100]")
        << sample_line(1500, 250 * kMiB, "[100," + mib50 + ",1],[101," + mib200 + ",100]")
        << sample_line(2100, 50 * kMiB, "[100," + mib50 + ",1]");
    RunModel run;
    run.tests.push_back(test_of_pid_100("t.py::test_child"));
    add_memory_trail(run, samples);
    const auto& test = run.tests[0];
    EXPECT_EQ(test.peak_tree_pss_bytes, 250 * kMiB);
    EXPECT_EQ(test.tree_pss_added_bytes, 200 * kMiB);
    EXPECT_TRUE(test.tree_pss_from_rss);
    EXPECT_EQ(test.tree_pss_growth_bytes, 0);

    // With a PSS read of the same two processes in the test, PSS alone is the figure.
    RunModel read;
    read.tests.push_back(test_of_pid_100("t.py::test_child"));
    std::ofstream(samples)
        << R"({"ev":"sampler","ns":1,"v":1,"interval_s":0.05,"pss_interval_s":0.25})" << '\n'
        << sample_line(900, 50 * kMiB, "[100," + mib50 + ",1]")
        << sample_line(1200, 250 * kMiB, "[100," + mib50 + ",1],[101," + mib200 + ",100]")
        << sample_line(1500, 250 * kMiB,
                       "[100," + mib50 + ",1," + mib50 + "],[101," + mib200 + ",100," +
                           std::to_string(150 * kMiB) + "]",
                       R"(,"pss":)" + std::to_string(200 * kMiB))
        << sample_line(2100, 50 * kMiB, "[100," + mib50 + ",1]");
    add_memory_trail(read, samples);
    EXPECT_EQ(read.tests[0].peak_tree_pss_bytes, 200 * kMiB);
    EXPECT_FALSE(read.tests[0].tree_pss_from_rss);

    // Read when the child was new and small; it grew to 200 MiB between reads: its RSS less the
    // double count that read found (10 MiB) stands for the peak.
    RunModel grown;
    grown.tests.push_back(test_of_pid_100("t.py::test_child"));
    const std::string mib20 = std::to_string(20 * kMiB);
    std::ofstream(samples)
        << R"({"ev":"sampler","ns":1,"v":1,"interval_s":0.05,"pss_interval_s":0.25})" << '\n'
        << sample_line(900, 50 * kMiB, "[100," + mib50 + ",1]")
        << sample_line(1200, 70 * kMiB,
                       "[100," + mib50 + ",1," + std::to_string(45 * kMiB) + "],[101," + mib20 +
                           ",100," + std::to_string(15 * kMiB) + "]",
                       R"(,"pss":)" + std::to_string(60 * kMiB))
        << sample_line(1500, 250 * kMiB, "[100," + mib50 + ",1],[101," + mib200 + ",100]")
        << sample_line(2100, 50 * kMiB, "[100," + mib50 + ",1]");
    add_memory_trail(grown, samples);
    EXPECT_EQ(grown.tests[0].peak_tree_pss_bytes, 240 * kMiB);
    EXPECT_EQ(grown.tests[0].tree_pss_added_bytes, 190 * kMiB);
    EXPECT_TRUE(grown.tests[0].tree_pss_from_rss);
}

TEST(MemoryTrail, AForkedChildFirstReadAfterTheTestLendsItsDoubleCount) {
    testing::ScratchDir scratch;
    const auto samples = scratch / "samples.jsonl";
    const std::string mib200 = std::to_string(200 * kMiB), mib100 = std::to_string(100 * kMiB);
    std::ofstream(samples)
        << R"({"ev":"sampler","ns":1,"v":1,"interval_s":0.05,"pss_interval_s":0.25})" << '\n'
        << sample_line(900, 200 * kMiB, "[100," + mib200 + ",1]")
        // Forked during the test, sharing every page; no read until after the test.
        << sample_line(1200, 400 * kMiB, "[100," + mib200 + ",1],[101," + mib200 + ",100]")
        << sample_line(2100, 400 * kMiB, "[100," + mib200 + ",1],[101," + mib200 + ",100]")
        << sample_line(
               2400, 400 * kMiB,
               "[100," + mib200 + ",1," + mib100 + "],[101," + mib200 + ",100," + mib100 + "]",
               R"(,"pss":)" + mib200);
    RunModel run;
    run.tests.push_back(test_of_pid_100("t.py::test_forks"));
    add_memory_trail(run, samples);
    EXPECT_EQ(run.tests[0].peak_tree_pss_bytes, 200 * kMiB);  // not the 400 MiB of RSS
    EXPECT_FALSE(run.tests[0].tree_pss_from_rss);             // no higher than the figures measured

    // The child leaves before any read: its RSS is all there is (an upper bound).
    std::ofstream(samples)
        << R"({"ev":"sampler","ns":1,"v":1,"interval_s":0.05,"pss_interval_s":0.25})" << '\n'
        << sample_line(900, 200 * kMiB, "[100," + mib200 + ",1]")
        << sample_line(1200, 400 * kMiB, "[100," + mib200 + ",1],[101," + mib200 + ",100]")
        << sample_line(2100, 200 * kMiB, "[100," + mib200 + ",1]")
        << sample_line(2400, 200 * kMiB, "[100," + mib200 + ",1]");
    RunModel gone;
    gone.tests.push_back(test_of_pid_100("t.py::test_forks"));
    add_memory_trail(gone, samples);
    EXPECT_EQ(gone.tests[0].peak_tree_pss_bytes, 400 * kMiB);
    EXPECT_TRUE(gone.tests[0].tree_pss_from_rss);
}

TEST(MemoryTrail, ATrailWithoutPssFallsBackToRss) {
    testing::ScratchDir scratch;
    const auto samples = scratch / "samples.jsonl";
    std::ofstream(samples) << R"({"ev":"sampler","ns":1,"v":1,"interval_s":0.05})" << '\n'
                           << sample_line(900, 10, "[100,10,1]")
                           << sample_line(1500, 40, "[100,10,1],[101,30,100]")
                           << sample_line(2100, 10, "[100,10,1]");
    RunModel run;
    run.tests.push_back(test_of_pid_100("t.py::test_a"));
    add_memory_trail(run, samples);
    EXPECT_EQ(run.memory.tree_measure, "rss");
    EXPECT_EQ(run.tests[0].peak_tree_pss_bytes, 40);
    EXPECT_EQ(run.tests[0].tree_pss_added_bytes, 30);
    EXPECT_EQ(run.tests[0].tree_pss_growth_bytes, 0);  // the child was gone after the test
    EXPECT_EQ(run.memory.peak_tree_pss, 40);
}

TEST(MemoryTrail, ATestIsNotChargedWithWhatHappenedBetweenTheSamplesAroundIt) {
    testing::ScratchDir scratch;
    const auto samples = scratch / "samples.jsonl";
    const auto mib = [](std::int64_t n) { return std::to_string(n * kMiB); };
    std::ofstream(samples)
        << R"({"ev":"sampler","ns":1,"v":1,"interval_s":0.05,"pss_interval_s":0.25})"
        << '\n'
        // During the collection, which went on to 130 MiB before the first test.
        << sample_line(900, 100 * kMiB, "[100," + mib(100) + ",1]")
        // test_b's child: the process's PSS and the child's, counted once each.
        << sample_line(1500, 430 * kMiB,
                       "[100," + mib(130) + ",1," + mib(125) + "],[101," + mib(300) + ",100," +
                           mib(205) + "]",
                       R"(,"pss":)" + mib(330))
        << sample_line(2100, 130 * kMiB, "[100," + mib(130) + ",1]");
    RunModel run;
    // test_a: 1000-1010, no sample inside; test_b: 1020-2000, starts a child of 200 MiB.
    for (auto [nodeid, begin, end] :
         {std::tuple{"t.py::test_a", 1000, 1010}, std::tuple{"t.py::test_b", 1020, 2000}}) {
        TestResult test = test_of_pid_100(nodeid);
        test.setup->begin_ns = begin;
        test.teardown->end_ns = end;
        test.rss_before_bytes = 130 * kMiB;  // the plugin's exact figures of the process
        test.rss_after_bytes = 130 * kMiB;
        test.peak_rss_bytes = 130 * kMiB;
        run.tests.push_back(test);
    }

    add_memory_trail(run, samples);
    const auto& a = run.tests[0];
    EXPECT_EQ(a.peak_tree_pss_bytes, 130 * kMiB);
    EXPECT_EQ(a.tree_pss_added_bytes, 0);  // not the collection's 30 MiB, nor test_b's child
    EXPECT_EQ(a.tree_pss_growth_bytes, 0);
    EXPECT_EQ(a.tree_rss_growth_bytes, 330 * kMiB);  // the samples around it, as documented
    const auto& b = run.tests[1];
    EXPECT_EQ(b.peak_tree_pss_bytes, 330 * kMiB);
    EXPECT_EQ(b.tree_pss_added_bytes, 200 * kMiB);
    EXPECT_EQ(b.tree_pss_growth_bytes, 0);  // its child was gone after it
}

TEST(MemoryTrail, TheCgroupsOomKillsAreDated) {
    testing::ScratchDir scratch;
    const auto samples = scratch / "samples.jsonl";
    std::ofstream(samples)
        << sample_line(900, 10, "[100,10,1]", R"(,"cg":{"usage":5,"oom_kill":2})")
        << sample_line(1000, 10, "[100,10,1]", R"(,"cg":{"usage":5,"oom_kill":2})")
        << sample_line(1100, 10, "[100,10,1]", R"(,"cg":{"usage":5,"oom_kill":3})")
        << R"({"ev":"sampler","ns":1200,"v":1})"
        << '\n'
        // Another attempt's cgroup: its count is not compared with the last.
        << sample_line(1300, 10, "[100,10,1]", R"(,"cg":{"usage":5,"oom_kill":0})");
    RunModel run;
    add_memory_trail(run, samples);
    EXPECT_EQ(run.memory.oom_kills_ns, std::vector<std::int64_t>{1100});
}

}  // namespace
}  // namespace blackbox::postmortem
