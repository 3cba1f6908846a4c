#pragma once

// The report options `run` and `report` share: --junitxml, --json, --md, --html.

#include <CLI/CLI.hpp>

#include <blackbox/report/report_set.hpp>

namespace blackbox::cli {

void add_report_options(CLI::App& app, report::ReportSet& reports);

}  // namespace blackbox::cli
