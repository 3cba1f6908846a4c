#pragma once

// The verdict at the top of the HTML report, as plain HTML (docs/formats/report-html.md):
// readable before any script runs. Every text from the run is escaped here.

#include <string>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::report {

// The `<header id="verdict">` element: status, counts, and for each crash its culprit, phase,
// cause, signal, memory at death and the Python stack.
std::string html_verdict(const postmortem::RunModel& run);

}  // namespace blackbox::report
