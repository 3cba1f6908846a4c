// The pytest-csv files of a restarted run's attempts made one that holds every test: the
// recorded file (attempt 2, pytest-csv's default columns, CRLF) merged with an earlier attempt's
// that had a column more, and the tests no file lists added in pytest-csv's words.

#include <gtest/gtest.h>

#include <blackbox/repair/csv_merge.hpp>
#include <blackbox/repair/csv_table.hpp>

#include "repair_fixtures.hpp"

namespace blackbox::repair {
namespace {

using testing::data_file;
using testing::fixed_context;

// Attempt 1: pytest-csv with --csv-add-columns host (its header is built per session).
constexpr const char* kFirstAttempt =
    "id,module,name,file,doc,markers,status,message,duration,host\r\n"
    "tests/test_early.py::test_one,tests.test_early,test_one,tests/test_early.py,,,passed,,"
    "0.25,ci-7\r\n";

TestEntry entry(std::string nodeid, std::string outcome, std::string message = "") {
    TestEntry test;
    test.nodeid = std::move(nodeid);
    test.outcome = std::move(outcome);
    test.message = std::move(message);
    test.setup_s = 0.125;
    test.call_s = 0.5;
    test.teardown_s = 0.25;
    return test;
}

// Rows by column name.
std::vector<std::map<std::string, std::string>> rows_of(const Patch& patch) {
    EXPECT_TRUE(patch.error.empty()) << patch.error;
    auto records = parse_csv(patch.text.value_or(""));
    EXPECT_TRUE(records && !records->empty());
    std::vector<std::map<std::string, std::string>> rows;
    for (auto record = records->begin() + 1; record != records->end(); ++record) {
        std::map<std::string, std::string> row;
        for (std::size_t c = 0; c < record->size(); ++c) {
            row[records->front()[c]] = (*record)[c];
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

TEST(CsvMerge, TheAttemptsRowsJoinUnderOneHeaderByColumnName) {
    auto patch = merge_csv({kFirstAttempt, data_file("pytest_csv.csv")}, {}, fixed_context());
    auto rows = rows_of(patch);
    ASSERT_EQ(rows.size(), 10U);
    EXPECT_EQ(rows[0]["host"], "ci-7");
    EXPECT_EQ(rows[2]["id"], "tests/test_sample.py::test_fails");
    EXPECT_EQ(rows[2]["message"], "assert (1 + 1) == 3");
    EXPECT_EQ(rows[2]["host"], "");  // attempt 2 had no such column
    EXPECT_EQ(
        patch.text->rfind("id,module,name,file,doc,markers,status,message,duration,host\r\n", 0),
        0U);
}

TEST(CsvMerge, TestsNoFileListsGetTheRowsPytestCsvWrites) {
    auto failed = entry("tests/test_x.py::test_fails", "failed", "assert 1 == 2");
    auto teardown = entry("tests/test_x.py::test_leaks", "error", "RuntimeError: leaked");
    teardown.failed_phase = "teardown";
    auto patch = merge_csv(
        {},
        {entry("tests/test_x.py::TestA::test_ok[1]", "passed"), failed, teardown,
         entry("tests/test_x.py::test_skip", "skipped", "Skipped: no network"),
         entry("tests/test_x.py::test_stopped", "not_run", "interrupted: stopped by SIGTERM")},
        fixed_context());
    EXPECT_EQ(patch.added, 5U);
    auto rows = rows_of(patch);
    ASSERT_EQ(rows.size(), 6U);
    EXPECT_EQ(rows[0]["module"], "tests.test_x");
    EXPECT_EQ(rows[0]["name"], "test_ok[1]");
    EXPECT_EQ(rows[0]["status"], "passed");
    EXPECT_EQ(rows[0]["duration"], "0.5");
    EXPECT_EQ(rows[1]["status"], "failed");
    EXPECT_EQ(rows[1]["message"], "assert 1 == 2");
    EXPECT_EQ(rows[2]["status"], "passed");  // the call, then the teardown's error
    EXPECT_EQ(rows[3]["status"], "error");
    EXPECT_EQ(rows[3]["duration"], "0.25");
    EXPECT_EQ(rows[4]["message"], "Skipped: no network");
    EXPECT_EQ(rows[5]["status"], "skipped");
    EXPECT_EQ(rows[5]["message"], "interrupted: stopped by SIGTERM");
    EXPECT_EQ(patch.text->rfind("id,module,name,file,doc,markers,status,message,duration\r\n", 0),
              0U);
}

TEST(CsvMerge, ATestAFileListsIsNotAddedAgain) {
    auto patch = merge_csv({data_file("pytest_csv.csv")},
                           {entry("tests/test_sample.py::test_passes", "passed")}, fixed_context());
    EXPECT_EQ(patch.added, 0U);
    EXPECT_EQ(rows_of(patch).size(), 9U);
}

TEST(CsvMerge, AFileThatIsNotAPytestCsvReportIsAnError) {
    EXPECT_NE(merge_csv({"a,b\r\n1,2\r\n"}, {}, fixed_context()).error, "");
    EXPECT_NE(merge_csv({"id,status\r\n\"torn"}, {}, fixed_context()).error, "");
}

TEST(CsvMerge, RowsAreOrderedAsTheRunCollectedThemAndATestsRowsStayTogether) {
    auto ordered = order_csv(
        data_file("pytest_csv.csv"),
        {"tests/test_sample.py::test_teardown_error", "tests/test_sample.py::test_fails"});
    auto records = parse_csv(ordered);
    ASSERT_TRUE(records);
    ASSERT_EQ(records->size(), 10U);
    EXPECT_EQ((*records)[1][0], "tests/test_sample.py::test_teardown_error");
    EXPECT_EQ((*records)[1][6], "passed");
    EXPECT_EQ((*records)[2][6], "error");
    EXPECT_EQ((*records)[3][0], "tests/test_sample.py::test_fails");
    EXPECT_EQ((*records)[4][0], "tests/test_sample.py::test_passes");
}

}  // namespace
}  // namespace blackbox::repair
