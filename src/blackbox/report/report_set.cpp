#include <cstdlib>
#include <functional>

#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/report/html_report.hpp>
#include <blackbox/report/json_report.hpp>
#include <blackbox/report/junit_report.hpp>
#include <blackbox/report/markdown_report.hpp>
#include <blackbox/report/report_set.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::report {

namespace {

bool attempt(const std::function<void()>& write, std::ostream& errors) {
    try {
        write();
        return true;
    } catch (const std::exception& error) {
        errors << "blackbox: " << base::terminal_text(error.what(), base::Newlines::keep) << "\n";
        return false;
    }
}

void make_parent(const std::string& path) {
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent);
    }
}

}  // namespace

int write_reports(const postmortem::RunModel& run, const ReportSet& reports, std::ostream& errors) {
    int failures = 0;
    if (!reports.junitxml.empty()) {
        failures += !attempt([&] { write_junit_file(run, reports.junitxml); }, errors);
    }
    if (!reports.json.empty()) {
        failures += !attempt(
            [&] {
                make_parent(reports.json);
                write_json_report_file(run, reports.json);
            },
            errors);
    }
    if (!reports.markdown.empty()) {
        failures += !attempt(
            [&] {
                make_parent(reports.markdown);
                write_markdown_file(run, reports.markdown, false,
                                    MarkdownOptions{5, reports.hungry_from});
            },
            errors);
    }
    if (!reports.html.empty() || reports.html_in_run_directory) {
        std::string page;
        failures +=
            !attempt([&] { page = html_report(run, run.dir / rundir::kSamplesFile); }, errors);
        if (!page.empty() && reports.html_in_run_directory) {
            failures += !attempt(
                [&] { base::write_file_atomically(run.dir / rundir::kReportHtmlFile, page); },
                errors);
        }
        if (!page.empty() && !reports.html.empty()) {
            failures += !attempt(
                [&] {
                    make_parent(reports.html);
                    base::write_file_atomically(reports.html, page);
                },
                errors);
        }
    }
    const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
    if (reports.github_step_summary && summary != nullptr && *summary != '\0' &&
        !reports.markdown.empty()) {
        failures += !attempt(
            [&] {
                write_markdown_file(run, summary, /*append=*/true,
                                    MarkdownOptions{5, reports.hungry_from});
            },
            errors);
    }
    return failures;
}

}  // namespace blackbox::report
