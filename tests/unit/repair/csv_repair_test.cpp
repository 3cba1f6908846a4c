// Crashed tests into pytest-csv reports.

#include <gtest/gtest.h>

#include <blackbox/repair/csv_repair.hpp>
#include <blackbox/repair/csv_table.hpp>

#include "repair_fixtures.hpp"

namespace blackbox::repair {
namespace {

using testing::data_file;
using testing::fixed_context;

Patch repair_twice(const std::optional<std::string>& text, const std::vector<CrashEntry>& crashes) {
    return testing::repaired_twice(text, [&](const std::optional<std::string>& input) {
        return repair_csv(input, crashes, fixed_context());
    });
}

TEST(CsvRepair, AppendsARowInPytestCsvsWordsAndKeepsTheRestByteForByte) {
    auto original = data_file("pytest_csv.csv");
    auto patch = repair_twice(original, testing::logged_crashes());
    ASSERT_TRUE(patch.text);
    EXPECT_EQ(patch.added, 2U);    // test_sizes[big] passed there (so it died in teardown)
    EXPECT_EQ(patch.already, 1U);  // test_fails failed already
    EXPECT_EQ(patch.text->substr(0, original.size()), original);
    auto rows = parse_csv(*patch.text);
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 12U);
    EXPECT_EQ(rows->at(10),
              (CsvRow{"tests/test_sample.py::test_sizes[big]", "tests.test_sample",
                      "test_sizes[big]", "tests/test_sample.py", "", "", "error",
                      "crashed in teardown: Test crashed: the last-running marker was left behind",
                      "0.8"}));
    EXPECT_EQ(rows->at(11)[0],
              "tests/test_sample.py::TestGroup::test_explodes[<script>alert(1)</script>]");
    EXPECT_EQ(rows->at(11)[2], "test_explodes[<script>alert(1)</script>]");
    EXPECT_EQ(patch.text->substr(patch.text->size() - 2), "\r\n");  // the file's line ends
}

TEST(CsvRepair, ACrashOutsideTheCallIsAnError) {
    auto patch = repair_twice(std::nullopt, {testing::segfault("a.py::t", "teardown")});
    auto rows = parse_csv(*patch.text);
    EXPECT_EQ(rows->at(1)[6], "error");
    EXPECT_EQ(rows->at(1)[7], "crashed in teardown: segfault (SIGSEGV)");
}

TEST(CsvRepair, QuotesFieldsAsRfc4180) {
    auto entry = testing::crash("a.py::t[x,\"y\"]");
    entry.reason = "one, \"two\"";
    auto patch = repair_twice(std::nullopt, {entry});
    ASSERT_TRUE(patch.text);
    EXPECT_NE(patch.text->find("\"a.py::t[x,\"\"y\"\"]\""), std::string::npos);
    auto rows = parse_csv(*patch.text);
    EXPECT_EQ(rows->at(1)[0], "a.py::t[x,\"y\"]");
    EXPECT_EQ(rows->at(1)[7], "crashed: one, \"two\"");
}

TEST(CsvRepair, CreatesTheFileWithPytestCsvsHeader) {
    auto patch = repair_twice(std::nullopt, {testing::crash("a.py::t")});
    ASSERT_TRUE(patch.text);
    EXPECT_EQ(patch.text->rfind("id,module,name,file,doc,markers,status,message,duration\r\n", 0),
              0U);
}

TEST(CsvRepair, FillsOtherPytestCsvColumnsItKnows) {
    std::string text = "id,class,function,duration_formatted,host,markers\n";
    auto entry = testing::crash("t/a.py::C::f[1]");
    entry.duration_s = 61.25;
    auto patch = repair_twice(text, {entry});
    EXPECT_EQ(*patch.text, text + "t/a.py::C::f[1],C,f,0:01:01.250000,ci-runner,\n");
}

TEST(CsvRepair, ACrashIsAFailureInTheSuccessColumnAsPytestCsvWritesIt) {
    // pytest-csv's `success` is str(bool(report.failed)): "True" for a failure.
    auto patch = repair_twice(std::string("id,success\n"), {testing::crash("a.py::t")});
    EXPECT_EQ(*patch.text, "id,success\na.py::t,True\n");
}

TEST(CsvRepair, EndsAnUnterminatedLastLineBeforeAppending) {
    auto patch =
        repair_twice(std::string("id,status\r\na.py::x,passed"), {testing::crash("a.py::t")});
    EXPECT_EQ(*patch.text, "id,status\r\na.py::x,passed\r\na.py::t,failed\r\n");
}

TEST(CsvRepair, ReportsWhatIsNotAPytestCsvReport) {
    EXPECT_FALSE(repair_csv(std::string("id,message\na.py::t,\"never closed\n"),
                            {testing::crash("b")}, fixed_context())
                     .error.empty());
    EXPECT_FALSE(
        repair_csv(std::string("name,status\nt,passed\n"), {testing::crash("b")}, fixed_context())
            .error.empty());
}

}  // namespace
}  // namespace blackbox::repair
