#pragma once

// Adds crashed tests to a pytest-html report, in whichever layout the page has:
// - pytest-html 4: the tests live in data-jsonblob (html_jsonblob.hpp), keyed by node id,
//   each a list of results {extras, result, testId, duration, resultsTableRow, log}; a
//   crashed test's result is added there and the blob re-encoded;
// - pytest-html 3: the tests are rows of <table id="results-table"> (html_results_table.hpp);
//   a row is added at the top, where pytest-html sorts errors and failures;
// and the counts in the page's summary follow (html_summary.hpp).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/repair/crash_entry.hpp>
#include <blackbox/repair/patch.hpp>
#include <blackbox/repair/repair_context.hpp>

namespace blackbox::repair {

// A crashed test the page already shows as failed or errored (any of its results, for the
// node id or its ::setup/::teardown id) is left alone; any other gets a "Failed" result (a
// crash in the call or an unknown phase) or an "Error" result (setup, teardown; and a test the
// page shows as passed, see after_reported_call()), its log the crash details. Node ids, messages
// and tracebacks are escaped wherever they go. `existing` nullopt creates a standalone page
// (html_standalone.hpp) titled `title`. A page with neither a data-jsonblob nor a results table, or
// whose blob is not JSON even after repair, gives Patch::error.
Patch repair_html(const std::optional<std::string>& existing,
                  const std::vector<CrashEntry>& crashes, const RepairContext& context,
                  std::string_view title);

// Adds `result` to a blob's `tests`: appended to the list under `nodeid` (made when missing, a
// single result made a list), or to `tests` itself when it is a list (pytest-abort's pages).
void add_blob_result(nlohmann::ordered_json& tests, const std::string& nodeid,
                     nlohmann::ordered_json result);

}  // namespace blackbox::repair
