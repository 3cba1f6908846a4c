// pytest-abort's crashed-tests log, as its xdist controller and runners append it.

#include <cstdlib>

#include <gtest/gtest.h>

#include <blackbox/repair/crash_log_reader.hpp>
#include <blackbox/repair/crash_sources.hpp>

#include "repair_fixtures.hpp"

namespace blackbox::repair {
namespace {

using testing::data_file;

TEST(CrashLogReader, ReadsEveryFieldOfARecordedLine) {
    auto log = parse_crash_log(data_file("crashed_tests.jsonl"));
    ASSERT_EQ(log.crashes.size(), 4U);
    const auto& first = log.crashes[0];
    EXPECT_EQ(first.nodeid, "tests/test_sample.py::test_sizes[big]");
    EXPECT_EQ(first.reason, "Test crashed: the last-running marker was left behind");
    EXPECT_EQ(first.crash_time, "2026-11-22T06:36:09.101202");
    EXPECT_EQ(first.duration_s, 0.8);
    EXPECT_EQ(first.gpu_id, "0");
    EXPECT_EQ(first.pid, 4242);
    EXPECT_EQ(first.worker, "xdist:gw1");
    EXPECT_EQ(first.test_class, "UnknownClass");
    EXPECT_FALSE(first.phase);
}

TEST(CrashLogReader, TrimsNodeIdsAndSkipsATornLastLineWithAWarning) {
    auto log = parse_crash_log(data_file("crashed_tests.jsonl"));
    EXPECT_EQ(log.crashes[2].nodeid,
              "tests/test_sample.py::TestGroup::test_explodes[<script>alert(1)</script>]");
    ASSERT_EQ(log.warnings.size(), 1U);
    EXPECT_EQ(log.warnings[0], "line 5: not a JSON object, skipped");
}

TEST(CrashLogReader, SkipsLinesWithoutANodeIdAndBlankLines) {
    auto log = parse_crash_log(
        "\n{\"test_name\": \"t\"}\n{\"nodeid\": \"   \"}\n[1, 2]\n{\"nodeid\": \"a.py::t\", "
        "\"gpu_id\": 3, \"duration\": \"1.5\"}\n\n");
    ASSERT_EQ(log.crashes.size(), 1U);
    EXPECT_EQ(log.crashes[0].gpu_id, "3");
    EXPECT_EQ(log.crashes[0].duration_s, 1.5);
    EXPECT_EQ(log.warnings.size(), 3U);
}

TEST(CrashLogReader, AMissingLogRecordsNoCrash) {
    EXPECT_FALSE(read_crash_log("/nonexistent/crashed_tests.jsonl"));
}

TEST(CrashLogReader, TheEnvironmentNamesTheLogAsPytestAbortDoes) {
    ::unsetenv("PYTEST_ABORT_CRASHED_TESTS_LOG");
    ::setenv("JAX_ROCM_CRASHED_TESTS_LOG", "/tmp/rocm.jsonl", 1);
    EXPECT_EQ(crash_log_from_environment(), std::filesystem::path("/tmp/rocm.jsonl"));
    ::setenv("PYTEST_ABORT_CRASHED_TESTS_LOG", "/tmp/generic.jsonl", 1);
    EXPECT_EQ(crash_log_from_environment(), std::filesystem::path("/tmp/generic.jsonl"));
    ::setenv("PYTEST_ABORT_CRASHED_TESTS_LOG", "", 1);
    ::unsetenv("JAX_ROCM_CRASHED_TESTS_LOG");
    EXPECT_FALSE(crash_log_from_environment());
    ::unsetenv("PYTEST_ABORT_CRASHED_TESTS_LOG");
}

TEST(CrashSources, MergingKeepsFirstAppearanceOrderAndFillsMissingFacts) {
    auto log = parse_crash_log(data_file("crashed_tests.jsonl"));
    auto run = testing::segfault("tests/test_sample.py::test_fails");
    auto merged = merge_crashes({run}, log.crashes);
    ASSERT_EQ(merged.size(), 3U);
    EXPECT_EQ(merged[0].nodeid, "tests/test_sample.py::test_fails");
    EXPECT_EQ(merged[0].cause, "segfault");  // the run directory's facts win
    EXPECT_EQ(merged[0].gpu_id, "0");        // the log adds what the run lacks
    EXPECT_EQ(merged[1].nodeid, "tests/test_sample.py::test_sizes[big]");
    EXPECT_EQ(merged[1].reason, "Test crashed: the last-running marker was left behind");
}

TEST(CrashEntryText, SaysPhaseCauseAndSignalOnOneLine) {
    EXPECT_EQ(crash_message(testing::segfault("a.py::t", "teardown")),
              "crashed in teardown: segfault (SIGSEGV)");
    auto logged = testing::crash("a.py::t");
    logged.reason = "Test aborted\nsecond line";
    EXPECT_EQ(crash_message(logged), "crashed: Test aborted");
    EXPECT_EQ(crash_message(testing::crash("a.py::t")), "crashed");
    EXPECT_EQ(crash_outcome(testing::crash("a.py::t")), "failed");
    EXPECT_EQ(crash_outcome(testing::crash("a.py::t", "setup")), "error");
    EXPECT_EQ(crash_outcome(testing::crash("a.py", "collect")), "error");
}

TEST(CrashEntryText, DetailsEndWithTheTraceback) {
    auto details = crash_details(testing::segfault("a.py::t"));
    EXPECT_EQ(details.rfind("crashed in call: segfault (SIGSEGV)\nphase: call\n", 0), 0U);
    EXPECT_NE(details.find("\nFatal Python error: Segmentation fault\n"), std::string::npos);
}

}  // namespace
}  // namespace blackbox::repair
