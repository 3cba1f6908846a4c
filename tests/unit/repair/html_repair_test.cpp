// Crashed tests into pytest-html pages, both layouts, and the page written when there is none.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <blackbox/repair/html_jsonblob.hpp>
#include <blackbox/repair/html_repair.hpp>
#include <blackbox/repair/html_results_table.hpp>

#include "repair_fixtures.hpp"

namespace blackbox::repair {
namespace {

using nlohmann::json;
using testing::data_file;
using testing::fixed_context;

Patch repair_twice(const std::optional<std::string>& text, const std::vector<CrashEntry>& crashes) {
    return testing::repaired_twice(text, [&](const std::optional<std::string>& input) {
        return repair_html(input, crashes, fixed_context(), "report.html");
    });
}

json blob_of(const std::string& page) {
    auto blob = find_jsonblob(page);
    EXPECT_TRUE(blob);
    return blob ? json::parse(blob->json) : json();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(HtmlRepair, Version4AddsTheCrashToTheBlobKeyedByNodeId) {
    auto original = data_file("pytest_html4.html");
    auto patch = repair_twice(original, testing::logged_crashes());
    ASSERT_TRUE(patch.text);
    EXPECT_EQ(patch.added, 2U);
    EXPECT_EQ(patch.already, 1U);
    auto data = blob_of(*patch.text);
    const auto& big = data["tests"]["tests/test_sample.py::test_sizes[big]"];
    ASSERT_EQ(big.size(), 2U);  // its passed call, then the crash: in teardown, after the call
    EXPECT_EQ(big[1]["result"], "Error");
    EXPECT_EQ(big[1]["testId"], "tests/test_sample.py::test_sizes[big]::teardown");
    EXPECT_EQ(big[1]["duration"], "800 ms");
    EXPECT_EQ(big[1]["resultsTableRow"][1],
              "<td class=\"col-testId\">tests/test_sample.py::test_sizes[big]::teardown</td>");
    const auto& explodes =
        data["tests"]["tests/test_sample.py::TestGroup::test_explodes[<script>alert(1)</script>]"];
    EXPECT_EQ(explodes[0]["resultsTableRow"][1],
              "<td class=\"col-testId\">tests/test_sample.py::TestGroup::test_explodes[&lt;script"
              "&gt;alert(1)&lt;/script&gt;]</td>");
    EXPECT_EQ(data["environment"]["Python"], "3.11.2");  // the rest of the data is kept
    EXPECT_EQ(data["tests"].size(), 9U);
}

TEST(HtmlRepair, Version4CountsFollowAndTheRestOfThePageIsKept) {
    auto original = data_file("pytest_html4.html");
    auto patch = repair_twice(original, testing::logged_crashes());
    ASSERT_TRUE(patch.text);
    EXPECT_TRUE(contains(*patch.text, "<span class=\"failed\">2 Failed,</span>"));
    EXPECT_TRUE(contains(*patch.text, "<p class=\"run-count\">7 tests took 27 ms.</p>"));
    EXPECT_TRUE(contains(*patch.text, "<span class=\"error\">3 Errors,</span>"));
    auto footer = original.find("<div id=\"data-container\"");
    EXPECT_EQ(patch.text->substr(footer - 300, 300), original.substr(footer - 300, 300));
    EXPECT_FALSE(contains(*patch.text, "<script>alert(1)"));  // escaped everywhere
}

TEST(HtmlRepair, Version4ErrorEnablesItsFilter) {
    auto page = data_file("pytest_html4.html");
    auto at = page.find("data-test-result=\"error\" >");
    page.replace(at, 26, "data-test-result=\"error\" disabled>");
    auto patch = repair_twice(page, {testing::segfault("tests/test_sample.py::test_new", "setup")});
    ASSERT_TRUE(patch.text);
    EXPECT_TRUE(contains(*patch.text, "data-test-result=\"error\">"));
    EXPECT_TRUE(contains(*patch.text, "<span class=\"error\">3 Errors,</span>"));
    auto data = blob_of(*patch.text);
    EXPECT_EQ(data["tests"]["tests/test_sample.py::test_new"][0]["testId"],
              "tests/test_sample.py::test_new::setup");
}

TEST(HtmlRepair, Version3AddsARowAtTheTopOfTheResultsTable) {
    auto original = data_file("pytest_html3.html");
    auto patch = repair_twice(original, testing::logged_crashes());
    ASSERT_TRUE(patch.text);
    EXPECT_EQ(patch.added, 2U);
    auto table = find_results_table(*patch.text);
    ASSERT_TRUE(table);
    ASSERT_EQ(table->rows.size(), 10U);
    EXPECT_EQ(table->rows[0].test_id, "tests/test_sample.py::test_sizes[big]::teardown");
    EXPECT_EQ(table->rows[0].result, "error");
    EXPECT_EQ(table->rows[1].test_id,
              "tests/test_sample.py::TestGroup::test_explodes[<script>alert(1)</script>]");
    EXPECT_TRUE(contains(*patch.text, "<span class=\"failed\">2 failed</span>"));
    EXPECT_TRUE(contains(*patch.text, "<span class=\"error\">3 errors</span>"));
    EXPECT_TRUE(contains(*patch.text, "<p>6 tests ran in 0.03 seconds. </p>"));
    EXPECT_FALSE(contains(*patch.text, "<script>alert(1)"));
    EXPECT_FALSE(find_jsonblob(*patch.text));
}

TEST(HtmlRepair, Version3ReadsRowsButNotTheScriptsMarkupLikeStrings) {
    auto table = find_results_table(data_file("pytest_html3.html"));
    ASSERT_TRUE(table);
    ASSERT_EQ(table->rows.size(), 8U);
    EXPECT_EQ(table->rows[0].test_id, "tests/test_sample.py::test_setup_error::setup");
    EXPECT_EQ(table->rows[0].result, "error");
    EXPECT_TRUE(shows_failure(table->rows, "tests/test_sample.py::test_teardown_error"));
    EXPECT_FALSE(shows_failure(table->rows, "tests/test_sample.py::test_passes"));
}

TEST(HtmlRepair, CreatesAStandalonePageListingTheCrashes) {
    auto patch = repair_twice(std::nullopt, testing::logged_crashes());
    ASSERT_TRUE(patch.text);
    EXPECT_EQ(patch.added, 3U);
    auto table = find_results_table(*patch.text);
    ASSERT_TRUE(table);
    EXPECT_EQ(table->rows.size(), 3U);
    EXPECT_EQ(blob_of(*patch.text)["tests"].size(), 3U);
    EXPECT_TRUE(contains(*patch.text, "<title id=\"head-title\">report.html</title>"));
    EXPECT_TRUE(contains(*patch.text, "<span class=\"failed\">3 Failed,</span>"));
    EXPECT_TRUE(contains(*patch.text, "<p class=\"run-count\">3 tests took"));
    EXPECT_FALSE(contains(*patch.text, "<script>alert(1)"));
}

TEST(HtmlRepair, TheStandalonePageTakesLaterCrashesInBothPlaces) {
    auto first = repair_html(std::nullopt, {testing::crash("a.py::one")}, fixed_context(), "r");
    auto second =
        repair_twice(first.text, {testing::crash("a.py::one"), testing::crash("a.py::two")});
    ASSERT_TRUE(second.text);
    EXPECT_EQ(second.added, 1U);
    EXPECT_EQ(find_results_table(*second.text)->rows.size(), 2U);
    EXPECT_EQ(blob_of(*second.text)["tests"].size(), 2U);
    EXPECT_TRUE(contains(*second.text, "<p class=\"run-count\">2 tests took"));
}

TEST(HtmlRepair, RepairsABrokenBlobWhileAddingTheCrash) {
    auto patch = repair_twice(data_file("pytest_html4_broken_blob.html"),
                              {testing::crash("tests/test_sample.py::test_new")});
    ASSERT_TRUE(patch.text);
    auto data = blob_of(*patch.text);
    EXPECT_TRUE(data["environment"]["Load"].is_null());
    EXPECT_EQ(data["environment"]["Note"], "line one\nline\ttwo \xEF\xBF\xBD caf\xEF\xBF\xBD");
}

TEST(HtmlRepair, ReportsWhatIsNotAPytestHtmlReport) {
    EXPECT_FALSE(repair_html(std::string("<html><body><p>hello</p></body></html>"),
                             {testing::crash("a")}, fixed_context(), "r")
                     .error.empty());
    auto torn = data_file("pytest_html4.html");
    auto blob = torn.find("data-jsonblob=\"") + 15;
    torn.replace(blob + 200, 1, "\"");  // a quote cuts the JSON short
    EXPECT_NE(repair_html(torn, {testing::crash("a")}, fixed_context(), "r")
                  .error.find("not JSON even after repair"),
              std::string::npos);
}

}  // namespace
}  // namespace blackbox::repair
