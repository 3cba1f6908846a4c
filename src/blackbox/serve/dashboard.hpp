#pragma once

// The dashboard's pages, rendered on the server from the backend's JSON (the same objects the
// read-only JSON routes answer). Every text from the database is escaped; the charts' data
// travels in a JSON block made safe for HTML and is drawn by a script of our own with uPlot, so
// the pages run under a CSP that allows only the server's own scripts.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace blackbox::serve {

// The runs, newest first (Backend::runs).
std::string runs_page(const nlohmann::json& runs);
// One run with its crashes and tests (Backend::run).
std::string run_page(const nlohmann::json& run);
// A test's history across runs and branches (Backend::test_history), with charts.
std::string history_page(const std::string& nodeid, const nlohmann::json& history);

// The pages' script and style sheet, served under /assets/.
std::string_view dashboard_js();
std::string_view dashboard_css();

// `text` percent-encoded for a URL's query value.
std::string url_encode(std::string_view text);

}  // namespace blackbox::serve
