#pragma once

// The page written when a pytest-html report is missing (the session died before writing it):
// a self-contained page that lists the crashed tests in a static table, readable without
// JavaScript, and carries the same data in a pytest-html 4 data-jsonblob so that
// pytest_html_merger can merge it with the other reports.

#include <string>
#include <string_view>

#include <blackbox/repair/repair_context.hpp>

namespace blackbox::repair {

// The page with no test yet (repair_html adds them): title, a summary with zero counts, an
// empty <table id="results-table" data-rows="static"> and an empty blob. `title` is escaped.
std::string standalone_page(std::string_view title, const RepairContext& context);

}  // namespace blackbox::repair
