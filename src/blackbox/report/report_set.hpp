#pragma once

// The reports a user asked for, written from one run model (after `blackbox run`, or later by
// `blackbox report`). A report that cannot be written is said on the error stream and the
// others are still written: the run's own outcome never depends on them.

#include <ostream>
#include <string>

#include <blackbox/postmortem/run_model.hpp>
#include <blackbox/report/markdown_report.hpp>

namespace blackbox::report {

struct ReportSet {
    std::string junitxml;  // paths; empty: not wanted
    std::string json;
    std::string markdown;
    std::string html;                    // the self-contained HTML report (report.html's format)
    bool html_in_run_directory = false;  // also report.html in the run directory
    bool github_step_summary = true;     // also append the Markdown to $GITHUB_STEP_SUMMARY
    std::int64_t hungry_from = kHungryFrom;  // the Markdown's memory-hungry threshold, bytes
};

// Returns the number of reports that could not be written.
int write_reports(const postmortem::RunModel& run, const ReportSet& reports, std::ostream& errors);

}  // namespace blackbox::report
