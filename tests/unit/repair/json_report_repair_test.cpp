// Crashed tests into pytest-json-report files.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/repair/json_report_repair.hpp>

#include "repair_fixtures.hpp"

namespace blackbox::repair {
namespace {

using nlohmann::json;
using testing::data_file;
using testing::fixed_context;

Patch repair_twice(const std::optional<std::string>& text, const std::vector<CrashEntry>& crashes) {
    return testing::repaired_twice(text, [&](const std::optional<std::string>& input) {
        return repair_json_report(input, crashes, fixed_context());
    });
}

const json& test_named(const json& report, const std::string& nodeid) {
    for (const auto& test : report["tests"]) {
        if (test["nodeid"] == nodeid) {
            return test;
        }
    }
    ADD_FAILURE() << "no test " << nodeid;
    static const json kNone;
    return kNone;
}

TEST(JsonReportRepair, AddsACrashedTestAsPytestAbortDoesAndKeepsTheSummaryConsistent) {
    auto patch = repair_twice(data_file("json_report.json"),
                              {testing::crash("tests/test_sample.py::test_new")});
    ASSERT_TRUE(patch.text);
    EXPECT_EQ(patch.added, 1U);
    auto report = json::parse(*patch.text);
    const auto& test = test_named(report, "tests/test_sample.py::test_new");
    EXPECT_EQ(test["outcome"], "failed");
    EXPECT_EQ(test["setup"]["outcome"], "passed");
    EXPECT_EQ(test["call"]["outcome"], "failed");
    EXPECT_EQ(test["call"]["longrepr"], "crashed\n");
    EXPECT_EQ(test["teardown"]["outcome"], "skipped");
    EXPECT_EQ(report["summary"]["failed"], 2);
    EXPECT_EQ(report["summary"]["total"], 9);
    EXPECT_EQ(report["summary"]["collected"], 9);  // never fewer collected than total
    EXPECT_EQ(report["exitcode"], 1);
    EXPECT_EQ(report["tests"].size(), 9U);
    EXPECT_EQ(report["root"], "/home/dev/project");  // the rest is kept
}

TEST(JsonReportRepair, KeepsTheFileOnOneLineAsThePluginWroteIt) {
    auto patch = repair_twice(data_file("json_report.json"),
                              {testing::crash("tests/test_sample.py::test_new")});
    ASSERT_TRUE(patch.text);
    EXPECT_EQ(patch.text->find('\n'), std::string::npos);
}

TEST(JsonReportRepair, LeavesATestThatAlreadyFailedAlone) {
    auto patch = repair_twice(data_file("json_report.json"),
                              {testing::crash("tests/test_sample.py::test_fails"),
                               testing::crash("tests/test_sample.py::test_setup_error")});
    EXPECT_FALSE(patch.text);
    EXPECT_EQ(patch.already, 2U);
}

TEST(JsonReportRepair, ATeardownCrashMarksTheTestWhoseCallPassed) {
    auto patch =
        repair_twice(data_file("json_report.json"),
                     {testing::segfault("tests/test_sample.py::test_sizes[big]", "teardown")});
    ASSERT_TRUE(patch.text);
    EXPECT_EQ(patch.marked, 1U);
    auto report = json::parse(*patch.text);
    const auto& test = test_named(report, "tests/test_sample.py::test_sizes[big]");
    EXPECT_EQ(test["outcome"], "error");
    EXPECT_EQ(test["call"]["outcome"], "passed");
    EXPECT_EQ(test["teardown"]["outcome"], "failed");
    EXPECT_NE(test["teardown"]["longrepr"].get<std::string>().find("SIGSEGV"), std::string::npos);
    EXPECT_EQ(report["summary"]["passed"], 3);
    EXPECT_EQ(report["summary"]["error"], 3);
    EXPECT_EQ(report["summary"]["total"], 8);
}

TEST(JsonReportRepair, ASetupCrashIsAnError) {
    auto patch = repair_twice(std::nullopt, {testing::segfault("a.py::t", "setup")});
    auto report = json::parse(*patch.text);
    EXPECT_EQ(report["tests"][0]["outcome"], "error");
    EXPECT_EQ(report["tests"][0]["setup"]["outcome"], "failed");
    EXPECT_FALSE(report["tests"][0].contains("call"));
    EXPECT_EQ(report["summary"]["error"], 1);
}

TEST(JsonReportRepair, CreatesAMinimalValidReportWhenThereIsNone) {
    auto patch = repair_twice(std::nullopt, testing::logged_crashes());
    ASSERT_TRUE(patch.text);
    EXPECT_EQ(patch.added, 3U);
    auto report = json::parse(*patch.text);
    for (const char* key : {"created", "duration", "exitcode", "root", "environment", "summary",
                            "collectors", "tests"}) {
        EXPECT_TRUE(report.contains(key)) << key;
    }
    EXPECT_EQ(report["created"], 1795330000.5);
    EXPECT_EQ(report["summary"], json({{"failed", 3}, {"total", 3}, {"collected", 3}}));
    EXPECT_EQ(report["tests"][2]["nodeid"],
              "tests/test_sample.py::TestGroup::test_explodes[<script>alert(1)</script>]");
    EXPECT_EQ(patch.text->substr(0, 6), "{\n    ");  // pytest-abort's indent=4
}

TEST(JsonReportRepair, ReportsWhatIsNotAJsonReport) {
    auto truncated = data_file("json_report.json").substr(0, 300);
    EXPECT_EQ(repair_json_report(truncated, testing::logged_crashes(), fixed_context()).error,
              "not valid JSON");
    EXPECT_FALSE(
        repair_json_report("[1, 2]", testing::logged_crashes(), fixed_context()).error.empty());
    EXPECT_FALSE(repair_json_report("{\"tests\": {}}", testing::logged_crashes(), fixed_context())
                     .error.empty());
}

}  // namespace
}  // namespace blackbox::repair
