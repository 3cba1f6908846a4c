#pragma once

// One result as pytest-html shows it, whatever it is (a crash a repair adds, or a test a merge
// adds from the journals): in pytest-html 4's data-jsonblob, and as a pytest-html 3 table row.
// Every piece of text is escaped where it goes.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace blackbox::repair {

struct HtmlResult {
    std::string result;   // pytest-html's word: "Passed", "Failed", "Error", "Skipped", …
    std::string test_id;  // the node id, with "::setup" or "::teardown" for an error there
    double seconds = 0;
    std::string log;  // the text under the row (failure text, skip reason); untrusted
};

// pytest-html 4's duration text: "52 ms" under a second, else "HH:MM:SS".
std::string blob_duration(double seconds);

// {extras, result, testId, duration, resultsTableRow, log} for data-jsonblob; the test id cell
// has class `cell_class` ("col-testId" in 4.x pages, "col-name" in pytest-abort's).
nlohmann::ordered_json blob_result(const HtmlResult& result, const std::string& cell_class);

// A pytest-html 3 row: <tbody class="passed results-table-row"> with the result, the test id,
// the duration (str(seconds) cut to two decimals) and the log, line by line.
std::string result_row_html(const HtmlResult& result);

// The class pytest-html gave the test-id cell in a blob's `tests`: "col-testId" (4.x) unless
// the page's own results use pytest-abort's "col-name".
std::string blob_cell_class(const nlohmann::ordered_json& tests);

// "passed" for "Passed": the class and the summary's span pytest-html uses for a result.
std::string result_class(std::string_view result);

}  // namespace blackbox::repair
