// The pytest-json-report files of a restarted run's attempts made one that holds every test:
// the recorded file (attempt 2) merged with an earlier attempt's, the tests no file holds added
// from the journals as pytest-json-report writes a test, then the crashes.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/repair/json_report_merge.hpp>
#include <blackbox/repair/run_report_merge.hpp>

#include "repair_fixtures.hpp"

namespace blackbox::repair {
namespace {

using nlohmann::json;
using testing::data_file;
using testing::fixed_context;

// Attempt 1's file, as a session that deselected the recorded suite's tests would write it.
constexpr const char* kFirstAttempt = R"({"created": 1795330000.0, "duration": 2.5,
"exitcode": 1, "root": "/home/dev/project", "environment": {"Python": "3.11.2"},
"summary": {"passed": 1, "total": 1, "collected": 9, "deselected": 8},
"collectors": [{"nodeid": "tests/test_sample.py", "outcome": "passed", "result": [
  {"nodeid": "tests/test_sample.py::test_passes", "type": "Function", "deselected": true},
  {"nodeid": "tests/test_sample.py::test_elsewhere", "type": "Function", "deselected": true}]}],
"tests": [{"nodeid": "tests/test_early.py::test_one", "lineno": 1, "outcome": "passed",
  "keywords": ["test_one"], "setup": {"duration": 0.1, "outcome": "passed"},
  "call": {"duration": 0.1, "outcome": "passed"},
  "teardown": {"duration": 0.1, "outcome": "passed"}}]}
)";

TestEntry entry(std::string nodeid, std::string outcome, std::string message = "") {
    TestEntry test;
    test.nodeid = std::move(nodeid);
    test.outcome = std::move(outcome);
    test.message = std::move(message);
    test.duration_s = 0.5;
    test.setup_s = 0.1;
    test.call_s = 0.3;
    test.teardown_s = 0.1;
    return test;
}

JsonReportRun run_facts() {
    JsonReportRun run;
    run.collected = 12;
    run.deselected = 1;
    run.exitcode = 1;
    run.selected = {"tests/test_sample.py::test_passes"};
    return run;
}

json test_named(const json& report, const std::string& nodeid) {
    for (const auto& test : report["tests"]) {
        if (test["nodeid"] == nodeid) {
            return test;
        }
    }
    ADD_FAILURE() << nodeid << " is not in the report";
    return json::object();
}

TEST(JsonReportMerge, TheAttemptsTestsJoinAndTheSummaryIsCountedAgain) {
    auto patch = merge_json_report({kFirstAttempt, data_file("json_report.json")}, {}, run_facts(),
                                   fixed_context());
    ASSERT_TRUE(patch.error.empty()) << patch.error;
    auto report = json::parse(*patch.text);
    EXPECT_EQ(report["tests"].size(), 9U);
    EXPECT_EQ(report["summary"],
              json::parse(R"({"passed": 5, "failed": 1, "skipped": 1, "error": 2, "total": 9,
                              "collected": 12, "deselected": 1})"));
    EXPECT_EQ(report["environment"]["Python"], "3.11.2");  // the first attempt's
    EXPECT_EQ(report["exitcode"], 1);
    EXPECT_NEAR(report["duration"].get<double>(), 2.5 + 0.02, 0.02);
    // The restart's resume deselected a test of the run: not the user's deselection.
    auto items = report["collectors"][0]["result"];
    EXPECT_FALSE(items[0].contains("deselected"));
    EXPECT_TRUE(items[1]["deselected"].get<bool>());  // deselected by the user: kept
    EXPECT_EQ(patch.text->find("\n"), patch.text->size() - 1) << "one line, as the first";
}

TEST(JsonReportMerge, TestsNoFileHoldsAreAddedAsPytestJsonReportWritesThem) {
    auto failed = entry("tests/test_x.py::test_fails", "failed", "assert 1 == 2");
    failed.longrepr = "E   assert 1 == 2";
    auto setup = entry("tests/test_x.py::test_setup", "error");
    setup.failed_phase = "setup";
    setup.longrepr = "E   RuntimeError: no db";
    auto patch = merge_json_report(
        {},
        {entry("tests/test_x.py::test_ok", "passed"), failed, setup,
         entry("tests/test_x.py::test_skip", "skipped", "no network"),
         entry("tests/test_x.py::test_stopped", "not_run", "interrupted: stopped by SIGTERM")},
        run_facts(), fixed_context());
    ASSERT_TRUE(patch.error.empty()) << patch.error;
    EXPECT_EQ(patch.added, 5U);
    auto report = json::parse(*patch.text);
    EXPECT_EQ(report["root"], "/home/dev/project");
    auto ok = test_named(report, "tests/test_x.py::test_ok");
    EXPECT_EQ(ok["outcome"], "passed");
    EXPECT_EQ(ok["call"], json::parse(R"({"duration": 0.3, "outcome": "passed"})"));
    EXPECT_TRUE(ok["lineno"].is_null());
    auto fails = test_named(report, "tests/test_x.py::test_fails");
    EXPECT_EQ(fails["call"]["outcome"], "failed");
    EXPECT_EQ(fails["call"]["longrepr"], "E   assert 1 == 2");
    auto broken = test_named(report, "tests/test_x.py::test_setup");
    EXPECT_EQ(broken["outcome"], "error");
    EXPECT_EQ(broken["setup"]["outcome"], "failed");
    EXPECT_FALSE(broken.contains("call"));
    auto skip = test_named(report, "tests/test_x.py::test_skip");
    EXPECT_EQ(skip["setup"], json::parse(R"({"duration": 0.1, "outcome": "skipped",
                                             "longrepr": "no network"})"));
    auto stopped = test_named(report, "tests/test_x.py::test_stopped");
    EXPECT_EQ(stopped["outcome"], "skipped");
    EXPECT_EQ(stopped["setup"]["longrepr"], "interrupted: stopped by SIGTERM");
    EXPECT_EQ(report["summary"]["total"], 5);
    EXPECT_EQ(report["summary"]["skipped"], 2);
}

TEST(JsonReportMerge, AFileThatIsNotAJsonReportIsAnError) {
    EXPECT_NE(merge_json_report({"[1, 2]"}, {}, run_facts(), fixed_context()).error, "");
    EXPECT_NE(merge_json_report({"{"}, {}, run_facts(), fixed_context()).error, "");
}

TEST(JsonReportMerge, TestsAreOrderedAsTheRunCollectedThem) {
    auto ordered = order_json_report(
        data_file("json_report.json"),
        {"tests/test_sample.py::test_teardown_error", "tests/test_sample.py::test_passes"});
    auto report = json::parse(ordered);
    EXPECT_EQ(report["tests"][0]["nodeid"], "tests/test_sample.py::test_teardown_error");
    EXPECT_EQ(report["tests"][1]["nodeid"], "tests/test_sample.py::test_passes");
    EXPECT_EQ(report["tests"].size(), 8U);
}

// The whole merge on a run's model: a test the journals know, and a crash put in as postprocess
// puts it.
TEST(JsonReportMerge, TheRunsCrashesArePutInAfterTheMerge) {
    postmortem::RunModel run;
    run.attempts = 2;
    auto& passed = run.tests.emplace_back();
    passed.nodeid = "tests/test_x.py::test_before";
    passed.outcome = "passed";
    passed.call = postmortem::PhaseResult{};
    auto& crashed = run.tests.emplace_back();
    crashed.nodeid = "tests/test_x.py::test_boom";
    crashed.outcome = "crashed";
    crashed.crash = 0;
    postmortem::Crash crash;
    crash.nodeid = crashed.nodeid;
    crash.phase = "call";
    crash.cause = "segfault";
    crash.signal = 11;
    run.crashes.push_back(crash);
    run.counts.collected = 2;
    run.counts.passed = 1;
    run.counts.crashed = 1;
    auto merged = merge_run_report(ReportKind::json_report, {}, run, fixed_context());
    ASSERT_TRUE(merged.patch.error.empty()) << merged.patch.error;
    EXPECT_EQ(merged.patch.added, 1U);
    EXPECT_EQ(merged.crashes, 1U);
    auto report = json::parse(*merged.patch.text);
    ASSERT_EQ(report["tests"].size(), 2U);
    EXPECT_EQ(report["tests"][0]["nodeid"], "tests/test_x.py::test_before");
    EXPECT_EQ(report["tests"][1]["outcome"], "failed");
    EXPECT_NE(report["tests"][1]["call"]["longrepr"].get<std::string>().find("segfault"),
              std::string::npos);
    EXPECT_EQ(report["summary"]["total"], 2);
    EXPECT_EQ(report["exitcode"], 1);
}

}  // namespace
}  // namespace blackbox::repair
