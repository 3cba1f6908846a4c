// The Markdown summary's "Most memory-hungry tests": ranked by what each test added, listed only
// from a threshold, left out when no test reaches it.

#include <gtest/gtest.h>

#include <blackbox/report/markdown_report.hpp>

namespace blackbox::report {
namespace {

using postmortem::RunModel;
using postmortem::TestResult;

constexpr std::int64_t kMiB = 1 << 20;

TestResult test_with(const std::string& nodeid, std::int64_t before, std::int64_t peak,
                     std::optional<std::int64_t> tree_added = std::nullopt,
                     std::optional<std::int64_t> tree_peak = std::nullopt) {
    TestResult test;
    test.nodeid = nodeid;
    test.outcome = "passed";
    test.rss_before_bytes = before;
    test.peak_rss_bytes = peak;
    test.tree_pss_added_bytes = tree_added;
    test.peak_tree_pss_bytes = tree_peak;
    return test;
}

// The hungry section's table rows, in order.
std::vector<std::string> hungry_rows(const std::string& markdown) {
    std::vector<std::string> rows;
    auto at = markdown.find("### Most memory-hungry tests");
    if (at == std::string::npos) {
        return rows;
    }
    auto header = markdown.find("|---|", at);
    auto line = markdown.find('\n', header) + 1;
    while (line < markdown.size() && markdown[line] == '|') {
        auto end = markdown.find('\n', line);
        rows.push_back(markdown.substr(line, end - line));
        line = end + 1;
    }
    return rows;
}

TEST(MarkdownReport, TheHungriestAreThoseThatAddedMostNotThoseWhoseProcessHeldMost) {
    RunModel run;
    // A process holding 800 MiB before any test ran: its trivial tests add nothing.
    run.tests.push_back(test_with("t.py::test_trivial_1", 800 * kMiB, 800 * kMiB));
    run.tests.push_back(test_with("t.py::test_adds_30", 800 * kMiB, 830 * kMiB));
    run.tests.push_back(test_with("t.py::test_trivial_2", 830 * kMiB, 831 * kMiB));
    // Its child took 200 MiB: only the tree says so.
    run.tests.push_back(
        test_with("t.py::test_child", 100 * kMiB, 101 * kMiB, 200 * kMiB, 300 * kMiB));
    auto rows = hungry_rows(markdown_summary(run));
    ASSERT_EQ(rows.size(), 2U) << markdown_summary(run);
    EXPECT_EQ(rows[0], "| `t.py::test_child` | +200 MiB | 101 MiB | 300 MiB | passed |");
    EXPECT_EQ(rows[1], "| `t.py::test_adds_30` | +30 MiB | 830 MiB | – | passed |");
}

TEST(MarkdownReport, AFigureEstimatedFromRssIsMarkedAsAtMost) {
    RunModel run;
    run.tests.push_back(test_with("t.py::test_adds_30", 0, 30 * kMiB));
    EXPECT_EQ(markdown_summary(run).find("≤"), std::string::npos);
    auto child = test_with("t.py::test_child", 100 * kMiB, 101 * kMiB, 200 * kMiB, 300 * kMiB);
    child.tree_pss_from_rss = true;
    run.tests.push_back(child);
    auto markdown = markdown_summary(run);
    auto rows = hungry_rows(markdown);
    ASSERT_EQ(rows.size(), 2U) << markdown;
    EXPECT_EQ(rows[0], "| `t.py::test_child` | ≤ +200 MiB | 101 MiB | ≤ 300 MiB | passed |");
    EXPECT_NE(markdown.find("(≤: at most"), std::string::npos) << markdown;
}

TEST(MarkdownReport, TheThresholdIsChosenAndAListWithNothingToSayIsLeftOut) {
    RunModel run;
    run.tests.push_back(test_with("t.py::test_adds_30", 0, 30 * kMiB));
    run.tests.push_back(test_with("t.py::test_adds_5", 0, 5 * kMiB));
    EXPECT_EQ(hungry_rows(markdown_summary(run)).size(), 1U);
    EXPECT_EQ(hungry_rows(markdown_summary(run, {5, 4 * kMiB})).size(), 2U);
    auto quiet = markdown_summary(run, {5, 100 * kMiB});
    EXPECT_EQ(quiet.find("memory-hungry"), std::string::npos) << quiet;
    EXPECT_NE(markdown_summary(run).find("from 10 MiB"), std::string::npos);
}

}  // namespace
}  // namespace blackbox::report
