#pragma once

// The pytest-html pages the attempts of a restarted run wrote, made one that holds every test of
// the run: pytest-html 4 (the tests in data-jsonblob) or 3 (rows of <table id="results-table">).

#include <string>
#include <string_view>
#include <vector>

#include <blackbox/repair/patch.hpp>
#include <blackbox/repair/repair_context.hpp>
#include <blackbox/repair/test_entry.hpp>

namespace blackbox::repair {

// The first attempt's page is the base (its head, environment, title and assets). The results
// of the others join it: a 4.x blob's tests by node id (a node id the base has keeps the
// base's), a 3.x page's rows before the base's first row. Then every test of `tests` that no
// page shows gets the results pytest-html shows for it ("Passed", "Failed", "Error" with the
// test id "::setup" or "::teardown" — a teardown error after a passed call is two results —,
// "Skipped", "XFailed", "XPassed"; a test never reached or interrupted: "Skipped" whose log says
// so), its log the failure text or the reason, escaped. The summary's counts follow each result
// added (html_summary.hpp). Without any page, a standalone page titled `title`. A page that is
// neither layout, pages of both layouts, or a blob that is not JSON give Patch::error.
Patch merge_html(const std::vector<std::string>& attempts, const std::vector<TestEntry>& tests,
                 const RepairContext& context, std::string_view title);

}  // namespace blackbox::repair
