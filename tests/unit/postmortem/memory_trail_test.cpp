// The trail joined with the tests on trails no sampler writes: the sums of a process tree's
// figures stay figures (never a negative peak) however large the figures it holds.

#include <fstream>

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

}  // namespace
}  // namespace blackbox::postmortem
