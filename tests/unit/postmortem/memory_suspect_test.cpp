// Cause or casualty: an earlier test is named a suspect only for a death of memory, and only
// for a growth it kept, measured without double counting.

#include <csignal>

#include <gtest/gtest.h>

#include <blackbox/postmortem/memory_suspect.hpp>

namespace blackbox::postmortem {
namespace {

constexpr std::int64_t kMiB = 1 << 20;
constexpr std::int64_t kSecond = 1'000'000'000;

TestResult finished_test(const std::string& nodeid, std::int64_t end_ns,
                         std::optional<std::int64_t> pss_growth) {
    TestResult test;
    test.nodeid = nodeid;
    test.outcome = "passed";
    PhaseResult teardown;
    teardown.end_ns = end_ns;
    test.teardown = teardown;
    test.tree_pss_growth_bytes = pss_growth;
    return test;
}

// test_leaks kept `growth`; test_dies died at 10 s, of `cause` by `signal`.
RunModel run_with(std::int64_t growth, const std::string& cause, std::optional<int> signal) {
    RunModel run;
    run.tests.push_back(finished_test("t.py::test_leaks", 5 * kSecond, growth));
    run.tests.push_back(finished_test("t.py::test_small", 6 * kSecond, 70 * kMiB));
    TestResult dies;
    dies.nodeid = "t.py::test_dies";
    dies.outcome = "crashed";
    dies.tree_pss_growth_bytes = 900 * kMiB;  // the crashed test is no suspect of its own death
    dies.crash = 0;
    run.tests.push_back(dies);
    Crash crash;
    crash.nodeid = "t.py::test_dies";
    crash.phase = "call";
    crash.cause = cause;
    crash.signal = signal;
    crash.since_ns = 7 * kSecond;
    crash.died_ns = 10 * kSecond;
    run.crashes.push_back(crash);
    return run;
}

TEST(MemorySuspect, AnOomKillNamesTheTestThatKeptMostMemory) {
    for (const char* cause : {"oom", "memory_limit"}) {
        RunModel run = run_with(220 * kMiB, cause, SIGKILL);
        EXPECT_TRUE(memory_death(run, run.crashes[0]));
        EXPECT_EQ(memory_suspect(run), 0U) << cause;
    }
}

TEST(MemorySuspect, ATestThatKillsItselfNamesNoSuspect) {
    RunModel run = run_with(220 * kMiB, "killed", SIGKILL);
    run.memory.mem_total = 16LL << 30;
    run.crashes[0].memory_at = MemoryPoint{9 * kSecond, 400 * kMiB, 12LL << 30, std::nullopt};
    EXPECT_FALSE(memory_death(run, run.crashes[0]));
    EXPECT_FALSE(memory_suspect(run));
}

TEST(MemorySuspect, ASegfaultIsNoDeathOfMemory) {
    RunModel run = run_with(220 * kMiB, "segfault", SIGSEGV);
    run.memory.oom_kills_ns = {8 * kSecond};
    EXPECT_FALSE(memory_suspect(run));
}

TEST(MemorySuspect, ASigkillWithOomEvidenceIsADeathOfMemory) {
    // The cgroup counted an OOM kill right after the death.
    RunModel counted = run_with(220 * kMiB, "killed", SIGKILL);
    counted.memory.oom_kills_ns = {10 * kSecond + 50'000'000};
    EXPECT_EQ(memory_suspect(counted), 0U);
    // … but not one long before the phase began.
    counted.memory.oom_kills_ns = {2 * kSecond};
    EXPECT_FALSE(memory_suspect(counted));

    // The cgroup was at 95% of the limit at the last sample.
    RunModel at_limit = run_with(220 * kMiB, "killed", SIGKILL);
    at_limit.memory.limit = 300 * kMiB;
    at_limit.crashes[0].memory_at = MemoryPoint{9 * kSecond, 600 * kMiB, 1LL << 30, 285 * kMiB};
    EXPECT_EQ(memory_suspect(at_limit), 0U);
    // The cgroup counts each page once: the tree's RSS (shared pages twice) does not decide.
    at_limit.crashes[0].memory_at->cgroup_usage = 100 * kMiB;
    EXPECT_FALSE(memory_suspect(at_limit));

    // The machine had 1% of its memory left.
    RunModel starved = run_with(220 * kMiB, "killed", SIGKILL);
    starved.memory.mem_total = 4LL << 30;
    starved.crashes[0].memory_at = MemoryPoint{9 * kSecond, 3LL << 30, 40 * kMiB, std::nullopt};
    EXPECT_EQ(memory_suspect(starved), 0U);
}

TEST(MemorySuspect, ASmallOrUnmeasuredGrowthIsNoSuspects) {
    RunModel small = run_with(60 * kMiB, "oom", SIGKILL);
    EXPECT_EQ(memory_suspect(small), 1U);  // test_small kept 70 MiB: the largest of the two
    small.tests[1].tree_pss_growth_bytes = 10 * kMiB;
    EXPECT_FALSE(memory_suspect(small));
    // The RSS growth of a forked child's shared pages is no growth without double counting.
    RunModel forked = run_with(0, "oom", SIGKILL);
    forked.tests[0].tree_rss_growth_bytes = 200 * kMiB;
    forked.tests[1].tree_pss_growth_bytes = std::nullopt;
    EXPECT_FALSE(memory_suspect(forked));
}

TEST(MemorySuspect, OnlyTestsOfTheSameAttemptThatEndedBeforeTheDeath) {
    RunModel later = run_with(220 * kMiB, "oom", SIGKILL);
    later.tests[1].tree_pss_growth_bytes = std::nullopt;
    later.tests[0].teardown->end_ns = 11 * kSecond;  // still running at the death (xdist)
    EXPECT_FALSE(memory_suspect(later));
    RunModel restarted = run_with(220 * kMiB, "oom", SIGKILL);
    restarted.tests[1].tree_pss_growth_bytes = std::nullopt;
    restarted.tests[0].attempt = 2;
    EXPECT_FALSE(memory_suspect(restarted));
}

}  // namespace
}  // namespace blackbox::postmortem
