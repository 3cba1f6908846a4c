#pragma once

// pytest-html 3's results: <table id="results-table"> with one
// <tbody class="failed results-table-row"> per test, its first row holding
// <td class="col-result">Failed</td><td class="col-name">node id</td>…, its second the log.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/repair/crash_entry.hpp>

namespace blackbox::repair {

struct HtmlResultRow {
    std::string result;   // the col-result text, lower-cased ("failed", "error", "passed", …)
    std::string test_id;  // the col-name (or col-testId) text, unescaped: a node id, with
                          // "::setup" or "::teardown" for an error outside the call
};

struct ResultsTable {
    std::size_t insert_at = 0;  // before the first row (rows are sorted errors first), or
                                // before </table> when there is none
    bool static_rows = false;   // rows live in the page (pytest-html 3, or a page written by
                                // blackbox: data-rows="static"), not in a script's data
    std::vector<HtmlResultRow> rows;
};

// The page's results table; nullopt when it has none (or it never closes).
std::optional<ResultsTable> find_results_table(std::string_view html);

// The test id pytest-html gives a crashed test's row: the node id, plus "::setup" or
// "::teardown" when the crash was outside the call.
std::string crash_test_id(const CrashEntry& crash);

// Whether `rows` already show the crash's test as failed or errored.
bool shows_failure(const std::vector<HtmlResultRow>& rows, const std::string& nodeid);

// pytest-html's word for the crashed test: "Failed" or "Error".
std::string_view crash_result(const CrashEntry& crash);

// A pytest-html 3 row (<tbody>…</tbody>) for the crash, everything escaped.
std::string crash_row_html(const CrashEntry& crash);

}  // namespace blackbox::repair
