#pragma once

// The verdict at the top of the HTML report, as plain HTML (docs/formats/report-html.md):
// readable before any script runs. Rendered from the report's data block alone, so that a server
// holding only that block (an uploaded run) renders the same page. Every text is escaped here.

#include <string>

#include <nlohmann/json.hpp>

namespace blackbox::report {

// The `<header id="verdict">` element: status, counts, and for each crash its culprit, phase,
// cause, signal, memory at death and the Python stack.
// `data` is html_data()'s block; any JSON renders (fields missing or of another type are left
// out), and nothing throws.
std::string html_verdict(const nlohmann::json& data);

}  // namespace blackbox::report
