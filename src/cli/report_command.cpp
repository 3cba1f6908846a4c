// `blackbox report [RUN_DIR] --junitxml/--json/--md/--html FILE`: the reports of a recorded run,
// from its files alone (also for a run whose supervisor was killed).

#include <iostream>
#include <memory>

#include <blackbox/base/error.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/rundir/run_directory.hpp>

#include "command_table.hpp"
#include "report_options.hpp"

namespace blackbox::cli {

namespace {

struct ReportOptions {
    std::string run_dir;
    report::ReportSet reports;
};

int regenerate(const ReportOptions& options) {
    if (options.reports.junitxml.empty() && options.reports.json.empty() &&
        options.reports.markdown.empty() && options.reports.html.empty()) {
        std::cerr << "blackbox report: name at least one of --junitxml, --json, --md, --html\n";
        return kUsageError;
    }
    auto run = postmortem::load_run(resolve_run_dir(options.run_dir));
    auto reports = options.reports;
    reports.github_step_summary = false;  // a regenerated report is not a new CI step's result
    return report::write_reports(run, reports, std::cerr) == 0 ? 0 : 1;
}

}  // namespace

std::function<int()> setup_report(CLI::App& app, const Invocation&) {
    auto options = std::make_shared<ReportOptions>();
    app.add_option("run_dir", options->run_dir, "Run directory (default: .blackbox/latest)");
    add_report_options(app, options->reports);
    return [options] { return regenerate(*options); };
}

}  // namespace blackbox::cli
