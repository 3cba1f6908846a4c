// What people and machines read: the aligned tables and the JSON of compare and history.

#include <gtest/gtest.h>

#include <blackbox/compare/comparison_json.hpp>
#include <blackbox/compare/comparison_text.hpp>
#include <blackbox/compare/history_json.hpp>
#include <blackbox/compare/history_text.hpp>
#include <blackbox/compare/text_table.hpp>

#include "memory_source.hpp"

namespace blackbox::compare {
namespace {

using testing::figures;
using testing::MemorySource;
using testing::MiB;

ComparisonReport regressed_report() {
    MemorySource source;
    for (int i = 0; i < 3; ++i) {
        source.add({figures("t.py::slow", 1.0, 50 * MiB, "passed", 0.05),
                    figures("t.py::hungry_é", 0.2, 100 * MiB, "passed", 0.1)});
    }
    source.add({figures("t.py::slow", 1.5, 50 * MiB, "passed", 0.05),
                figures("t.py::hungry_é", 0.2, 200 * MiB, "passed", 0.1),
                figures("t.py::new", 0.2, 200 * MiB)});
    return run_comparison(source, {});
}

TEST(TextTable, AlignsColumnsAndLeavesNoTrailingBlanks) {
    TextTable table({"name", "size"}, {Align::left, Align::right});
    table.add_row({"a", "1 B"});
    table.add_row({"ééé", "10 MiB"});
    EXPECT_EQ(table.render("  "),
              "  name    size\n"
              "  a        1 B\n"
              "  ééé   10 MiB\n");
}

TEST(ComparisonText, ListsRegressionsWorstFirstWithTheVerdict) {
    auto text = comparison_text(regressed_report(), 20);
    EXPECT_EQ(text,
              "Run run-4 (2026-01-04 10:00:00 UTC, serial) against the median of 3 runs with the "
              "same settings on the same execution context (run-1 … run-3).\n"
              "Compared 2 tests that passed on both sides; not compared: 1 without a baseline.\n"
              "\n"
              "Regressions (2):\n"
              "  test            metric     base      new  change    limit\n"
              "  t.py::hungry_é  memory  100 MiB  200 MiB   +100%  +20 MiB\n"
              "  t.py::slow      wall    1.000 s  1.500 s    +50%  +400 ms\n"
              "\n"
              "2 regressions beyond the thresholds (wall +25% and 20 ms plus waits (3× its CPU "
              "time, or as measured), cpu +50% and 50 ms, memory +20% and 10 MiB, each at least 5× "
              "the test's "
              "spread).\n");
}

TEST(ComparisonText, CutsLongTablesAtTheLimit) {
    auto text = comparison_text(regressed_report(), 1);
    EXPECT_NE(text.find("  … and 1 more (--limit 0 shows all)\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("t.py::slow "), std::string::npos) << text;
}

TEST(ComparisonText, SaysWhyThereIsNothingToCompare) {
    MemorySource source;
    source.add({figures("t.py::a", 1.0, MiB)});
    EXPECT_EQ(comparison_text(run_comparison(source, {}), 20),
              "Nothing to compare: run run-1 is the only session in the metrics database.\n");
    source.add({figures("t.py::a", 1.0, MiB)});
    EXPECT_EQ(comparison_text(run_comparison(source, {}), 20),
              "Run run-2 (2026-01-02 10:00:00 UTC, serial) against run run-1 (2026-01-01 "
              "10:00:00 UTC, serial).\n"
              "Compared 0 tests that passed on both sides; not compared: 1 passed in fewer than "
              "3 baseline runs.\n"
              "\n"
              "Nothing to compare: no test passed on both sides in at least 3 baseline runs.\n");
}

TEST(ComparisonJson, HoldsEveryChangeInBaseUnits) {
    auto json = comparison_json(regressed_report());
    EXPECT_EQ(json["format"], 1);
    EXPECT_EQ(json["verdict"], "regressed");
    EXPECT_EQ(json["exit_code"], 1);
    EXPECT_EQ(json["new"]["run_id"], "run-4");
    EXPECT_EQ(json["new"]["settings"], nlohmann::ordered_json::parse(R"({"workers":0})"));
    EXPECT_EQ(json["baseline"]["sessions"].size(), 3U);
    EXPECT_EQ(json["baseline"]["same_context"], true);
    EXPECT_EQ(json["baseline"]["same_settings"], true);
    EXPECT_EQ(json["baseline"]["other_settings"], 0);
    EXPECT_TRUE(json["baseline"]["note"].is_null());
    EXPECT_EQ(json["thresholds"]["memory"]["absolute"], 10 * MiB);
    EXPECT_EQ(json["thresholds"]["wall"]["relative"], 0.25);
    EXPECT_EQ(json["thresholds"]["spread"], 5.0);
    EXPECT_EQ(json["thresholds"]["contention"], 3.0);
    EXPECT_EQ(json["thresholds"]["min_sessions"], 3);
    EXPECT_EQ(json["cpu_factor"], 1.0);
    EXPECT_EQ(json["compared"], 2);
    ASSERT_EQ(json["regressions"].size(), 2U);
    const auto& worst = json["regressions"][0];
    EXPECT_EQ(worst["nodeid"], "t.py::hungry_é");
    EXPECT_EQ(worst["metric"], "memory");
    EXPECT_EQ(worst["base"], 100 * MiB);
    EXPECT_EQ(worst["new"], 200 * MiB);
    EXPECT_EQ(worst["change"], 1.0);
    EXPECT_EQ(worst["spread"], 0);
    EXPECT_EQ(worst["limit"], 20 * MiB);
    EXPECT_EQ(worst["baseline_sessions"], 3);
    EXPECT_EQ(json["improvements"].size(), 0U);
    EXPECT_EQ(json["without_baseline"], nlohmann::ordered_json::array({"t.py::new"}));
    EXPECT_EQ(json["little_history"].size(), 0U);
    EXPECT_EQ(json["missing"].size(), 0U);
    EXPECT_EQ(json["not_passed"].size(), 0U);
}

TEST(ComparisonJson, HasNoNewSessionInAnEmptyDatabase) {
    MemorySource empty;
    auto json = comparison_json(run_comparison(empty, {}));
    EXPECT_TRUE(json["new"].is_null());
    EXPECT_EQ(json["verdict"], "nothing_to_compare");
    EXPECT_EQ(json["exit_code"], 2);
}

MemorySource three_runs_of_a_test() {
    MemorySource source;
    source.add({figures("t.py::a", 1.0, 50 * MiB)});
    source.add({figures("t.py::a", 1.25, 60 * MiB, "failed")});
    auto crashed = figures("t.py::a", 0, 0, "crashed");
    crashed.wall_s.reset();
    crashed.cpu_s.reset();
    crashed.peak_rss_bytes.reset();
    crashed.retained_bytes = -3 * MiB / 2;
    source.add({crashed});
    return source;
}

TEST(HistoryText, ShowsOneLinePerSessionNewestLast) {
    auto source = three_runs_of_a_test();
    EXPECT_EQ(
        history_text(load_history(source, "t.py::a", 0)),
        "t.py::a: 3 sessions recorded, oldest first\n"
        "  run date (UTC)       run id  outcome     wall      cpu    peak   added  retained\n"
        "  2026-01-01 10:00:00  run-1   passed   1.000 s  1.000 s  80 MiB  50 MiB       0 B\n"
        "  2026-01-02 10:00:00  run-2   failed   1.250 s  1.250 s  90 MiB  60 MiB       0 B\n"
        "  2026-01-03 10:00:00  run-3   crashed        -        -       -       -  -1.5 MiB\n");
}

TEST(HistoryText, SaysWhenOnlyTheLastSessionsAreShown) {
    auto source = three_runs_of_a_test();
    auto history = load_history(source, "t.py::a", 2);
    ASSERT_EQ(history.points.size(), 2U);
    EXPECT_EQ(history.points[0].session.run_id, "run-2");
    EXPECT_EQ(history_text(history).substr(0, 56),
              "t.py::a: the last 2 of 3 sessions recorded, oldest first");
}

TEST(HistoryJson, GivesFiguresInBaseUnitsAndNullWhenUnmeasured) {
    auto source = three_runs_of_a_test();
    auto json = history_json(load_history(source, "t.py::a", 0));
    EXPECT_EQ(json["nodeid"], "t.py::a");
    EXPECT_EQ(json["recorded"], 3);
    ASSERT_EQ(json["sessions"].size(), 3U);
    EXPECT_EQ(json["sessions"][0]["run_id"], "run-1");
    EXPECT_EQ(json["sessions"][0]["peak_rss_bytes"], 80 * MiB);
    EXPECT_EQ(json["sessions"][0]["added_bytes"], 50 * MiB);
    EXPECT_TRUE(json["sessions"][2]["added_bytes"].is_null());
    EXPECT_EQ(json["sessions"][0]["wall_s"], 1.0);
    EXPECT_EQ(json["sessions"][2]["outcome"], "crashed");
    EXPECT_TRUE(json["sessions"][2]["wall_s"].is_null());
    EXPECT_EQ(json["sessions"][2]["retained_bytes"], -3 * MiB / 2);
}

TEST(NamedHistory, APartOfOneRecordedNodeIdNamesIt) {
    MemorySource source;
    source.add({figures("tests/test_x.py::test_primes", 1.0, MiB),
                figures("tests/test_x.py::test_sum[1]", 1.0, MiB),
                figures("tests/test_x.py::test_sum[2]", 1.0, MiB)});
    auto named = load_named_history(source, "test_primes", 0, 5);
    EXPECT_EQ(named.history.nodeid, "tests/test_x.py::test_primes");
    EXPECT_EQ(named.history.points.size(), 1U);
    auto several = load_named_history(source, "test_sum", 0, 1);
    EXPECT_TRUE(several.history.points.empty());
    EXPECT_EQ(several.candidates, (std::vector<std::string>{"tests/test_x.py::test_sum[1]"}));
    EXPECT_TRUE(several.more);
    auto none = load_named_history(source, "test_nothing", 0, 5);
    EXPECT_TRUE(none.history.points.empty());
    EXPECT_TRUE(none.candidates.empty());
}

TEST(HistoryText, FormatsSignedSizes) {
    EXPECT_EQ(format_signed_size(0), "0 B");
    EXPECT_EQ(format_signed_size(300), "+300 B");
    EXPECT_EQ(format_signed_size(-3 * MiB / 2), "-1.5 MiB");
    EXPECT_EQ(format_signed_size(INT64_MIN), "-8 EiB");
}

}  // namespace
}  // namespace blackbox::compare
