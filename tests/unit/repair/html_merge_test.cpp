// The pytest-html pages of a restarted run's attempts made one that holds every test: the
// recorded 4.x page with the tests only the journals know added to its data, two 3.x pages'
// rows joined, the summary's counts following.

#include <gtest/gtest.h>

#include <blackbox/repair/html_jsonblob.hpp>
#include <blackbox/repair/html_merge.hpp>
#include <blackbox/repair/html_results_table.hpp>

#include "repair_fixtures.hpp"

namespace blackbox::repair {
namespace {

using testing::data_file;
using testing::fixed_context;

TestEntry entry(std::string nodeid, std::string outcome, std::string message = "") {
    TestEntry test;
    test.nodeid = std::move(nodeid);
    test.outcome = std::move(outcome);
    test.message = std::move(message);
    test.call_s = 1.5;
    return test;
}

nlohmann::ordered_json tests_of(const std::string& page) {
    auto blob = find_jsonblob(page);
    EXPECT_TRUE(blob);
    std::string error;
    auto data = parse_jsonblob(*blob, error);
    EXPECT_TRUE(data) << error;
    return (*data)["tests"];
}

bool contains(const std::string& text, std::string_view piece) {
    return text.find(piece) != std::string::npos;
}

TEST(HtmlMerge, TestsOnlyTheJournalsKnowJoinAPytestHtml4PagesData) {
    auto failed = entry("tests/test_more.py::test_fails", "failed", "assert 1 == 2");
    failed.longrepr = "E   assert <1> == 2";
    auto patch = merge_html(
        {data_file("pytest_html4.html")},
        {entry("tests/test_sample.py::test_passes", "passed"),  // on the page already
         entry("tests/test_more.py::test_ok", "passed"), failed,
         entry("tests/test_more.py::test_stopped", "not_run", "interrupted: stopped by SIGTERM")},
        fixed_context(), "report.html");
    ASSERT_TRUE(patch.error.empty()) << patch.error;
    EXPECT_EQ(patch.added, 3U);
    const auto& page = *patch.text;
    auto tests = tests_of(page);
    EXPECT_EQ(tests["tests/test_sample.py::test_passes"].size(), 1U);
    auto ok = tests["tests/test_more.py::test_ok"][0];
    EXPECT_EQ(ok["result"], "Passed");
    EXPECT_EQ(ok["duration"], "00:00:02");
    auto fails = tests["tests/test_more.py::test_fails"][0];
    EXPECT_EQ(fails["result"], "Failed");
    EXPECT_EQ(fails["log"], "E   assert &lt;1&gt; == 2");
    EXPECT_EQ(tests["tests/test_more.py::test_stopped"][0]["result"], "Skipped");
    EXPECT_TRUE(contains(page, "<span class=\"passed\">6 Passed,</span>"));
    EXPECT_TRUE(contains(page, "<span class=\"failed\">2 Failed,</span>"));
    EXPECT_TRUE(contains(page, "<span class=\"skipped\">2 Skipped,</span>"));
    EXPECT_TRUE(contains(page, "<p class=\"run-count\">9 tests took 27 ms.</p>"));
}

TEST(HtmlMerge, TwoPytestHtml3PagesRowsJoinOnce) {
    auto first = data_file("pytest_html3.html");
    auto second = first;
    for (auto at = second.find("tests/test_sample.py"); at != std::string::npos;
         at = second.find("tests/test_sample.py", at)) {
        second.replace(at, 20, "tests/test_others.py");
    }
    auto patch = merge_html({first, second}, {entry("tests/test_sample.py::test_fails", "failed")},
                            fixed_context(), "report.html");
    ASSERT_TRUE(patch.error.empty()) << patch.error;
    EXPECT_EQ(patch.added, 0U);  // every test is on a page
    auto table = find_results_table(*patch.text);
    ASSERT_TRUE(table);
    EXPECT_EQ(table->rows.size(), 16U);
    std::size_t others = 0;
    for (const auto& row : table->rows) {
        others += row.test_id.starts_with("tests/test_others.py");
    }
    EXPECT_EQ(others, 8U);
    EXPECT_TRUE(contains(*patch.text, "<span class=\"passed\">8 passed</span>"));
    EXPECT_TRUE(contains(*patch.text, "<span class=\"error\">4 errors</span>"));
    EXPECT_TRUE(contains(*patch.text, "<p>11 tests ran in 0.03 seconds. </p>"));
}

TEST(HtmlMerge, ATeardownErrorAfterAPassedCallIsTwoResultsAsPytestHtmlShowsIt) {
    auto leaks = entry("tests/test_x.py::test_leaks", "error");
    leaks.failed_phase = "teardown";
    leaks.longrepr = "E   RuntimeError: leaked";
    auto patch = merge_html({data_file("pytest_html4.html")}, {leaks}, fixed_context(), "r.html");
    ASSERT_TRUE(patch.error.empty()) << patch.error;
    auto results = tests_of(*patch.text)["tests/test_x.py::test_leaks"];
    ASSERT_EQ(results.size(), 2U);
    EXPECT_EQ(results[0]["result"], "Passed");
    EXPECT_EQ(results[1]["result"], "Error");
    EXPECT_EQ(results[1]["testId"], "tests/test_x.py::test_leaks::teardown");
}

TEST(HtmlMerge, WithoutAnyPageAStandalonePageHoldsTheTests) {
    auto patch = merge_html({}, {entry("tests/test_x.py::test_a", "passed")}, fixed_context(),
                            "report.html");
    ASSERT_TRUE(patch.error.empty()) << patch.error;
    EXPECT_EQ(tests_of(*patch.text)["tests/test_x.py::test_a"][0]["result"], "Passed");
    auto table = find_results_table(*patch.text);
    ASSERT_TRUE(table);
    ASSERT_EQ(table->rows.size(), 1U);  // readable without JavaScript
    EXPECT_EQ(table->rows[0].result, "passed");
}

TEST(HtmlMerge, PagesThatCannotBeMergedAreAnError) {
    EXPECT_NE(merge_html({"<html><body>hello</body></html>"}, {}, fixed_context(), "r").error, "");
    EXPECT_NE(merge_html({data_file("pytest_html4.html"), data_file("pytest_html3.html")}, {},
                         fixed_context(), "r")
                  .error,
              "");
}

}  // namespace
}  // namespace blackbox::repair
