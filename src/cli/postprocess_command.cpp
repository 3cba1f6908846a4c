// `blackbox postprocess`: puts the crashed tests of a run (a run directory, or pytest-abort's
// crashed-tests log) into the reports the dead session could not finish: pytest-json-report,
// JUnit XML, pytest-csv and pytest-html files; and `--sanitize-html` makes pytest-html 4
// pages mergeable (docs/commands/postprocess.md).

#include <iostream>
#include <memory>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/repair/atomic_rewrite.hpp>
#include <blackbox/repair/crash_log_reader.hpp>
#include <blackbox/repair/crash_sources.hpp>
#include <blackbox/repair/html_sanitize_paths.hpp>
#include <blackbox/repair/report_coverage.hpp>
#include <blackbox/repair/report_file.hpp>

#include "command_table.hpp"

namespace blackbox::cli {

namespace {

using repair::ReportKind;

struct PostprocessOptions {
    std::string crash_log;
    std::string run_dir;
    std::string json_report, junitxml, csv_report, html_report;
    std::vector<std::string> sanitize_html;
};

std::string tests_word(std::size_t count) {
    return fmt::format("{} crashed test{}", count, count == 1 ? "" : "s");
}

// `run_tests` gets the node ids of the run's tests (with --run-dir).
std::vector<repair::CrashEntry> load_crashes(const PostprocessOptions& options,
                                             std::vector<std::string>& run_tests) {
    std::vector<repair::CrashEntry> from_run, from_log;
    if (!options.run_dir.empty()) {
        auto run = postmortem::load_run(std::filesystem::absolute(options.run_dir));
        from_run = repair::crashes_of_run(run);
        for (const auto& test : run.tests) {
            run_tests.push_back(test.nodeid);
        }
    }
    std::optional<std::filesystem::path> log_path;
    if (!options.crash_log.empty()) {
        log_path = options.crash_log;
    } else if (options.run_dir.empty()) {
        log_path = repair::crash_log_from_environment();
    }
    if (log_path) {
        auto log = repair::read_crash_log(*log_path);
        if (!log) {
            std::cerr << "blackbox postprocess: " << base::terminal_text(log_path->string())
                      << " does not exist: it records no crash\n";
        } else {
            for (const auto& warning : log->warnings) {
                std::cerr << "blackbox postprocess: warning: "
                          << base::terminal_text(log_path->string()) << " "
                          << base::terminal_text(warning) << "\n";
            }
            from_log = std::move(log->crashes);
        }
    }
    return repair::merge_crashes(from_run, from_log);
}

std::string describe(const repair::ReportOutcome& outcome) {
    const auto& patch = outcome.patch;
    if (outcome.created) {
        return "created with " + tests_word(patch.added);
    }
    std::vector<std::string> parts;
    if (patch.added > 0) {
        parts.push_back("added " + tests_word(patch.added));
    }
    if (patch.marked > 0) {
        parts.push_back(fmt::format("marked {} existing entr{} as crashed", patch.marked,
                                    patch.marked == 1 ? "y" : "ies"));
    }
    if (parts.empty()) {
        return fmt::format("unchanged ({} already reported)", tests_word(patch.already));
    }
    if (patch.already > 0) {
        parts.push_back(fmt::format("{} already reported", patch.already));
    }
    return fmt::format("{}", fmt::join(parts, ", "));
}

// A report that misses tests of the run (written anew by each attempt of a restarted run, or
// not at all by a session that died) is said to: adding the crashes alone would make it look
// complete.
void warn_missing_tests(ReportKind kind, const std::string& path,
                        const std::optional<std::string>& written,
                        const std::vector<std::string>& run_tests) {
    if (run_tests.empty()) {
        return;
    }
    std::optional<std::string> text = written;
    if (!text) {
        try {
            text = repair::read_report(path);
        } catch (const Error&) {
            return;  // said already, or nothing to say
        }
    }
    if (!text) {
        return;
    }
    auto missing = repair::tests_missing(kind, *text, run_tests);
    if (!missing || *missing == 0) {
        return;
    }
    std::cerr << fmt::format(
        "blackbox postprocess: warning: {} {} shows {} of the run's {} tests: {} are missing "
        "(each attempt of a restarted run writes it anew, and a session that dies writes "
        "nothing); `blackbox run` completes the reports its command writes when the run ends\n",
        repair::report_kind_name(kind), base::terminal_text(path), run_tests.size() - *missing,
        run_tests.size(), *missing);
}

int postprocess(const PostprocessOptions& options) {
    std::vector<std::pair<ReportKind, std::string>> reports;
    for (const auto& [kind, path] : {std::pair{ReportKind::json_report, options.json_report},
                                     std::pair{ReportKind::junit, options.junitxml},
                                     std::pair{ReportKind::csv, options.csv_report},
                                     std::pair{ReportKind::html, options.html_report}}) {
        if (!path.empty()) {
            reports.emplace_back(kind, path);
        }
    }
    if (reports.empty() && options.sanitize_html.empty()) {
        throw Error(
            "postprocess: nothing to do: name a report (--json-report, --junitxml, "
            "--csv-report, --html-report) or --sanitize-html PATH",
            kUsageError);
    }
    bool failed = false;
    if (!reports.empty()) {
        if (options.crash_log.empty() && options.run_dir.empty() &&
            !repair::crash_log_from_environment()) {
            throw Error(
                "postprocess: where are the crashes? Give --crash-log FILE or --run-dir DIR, "
                "or set PYTEST_ABORT_CRASHED_TESTS_LOG",
                kUsageError);
        }
        std::vector<std::string> run_tests;
        auto crashes = load_crashes(options, run_tests);
        if (crashes.empty()) {
            std::cout << "no crashed tests: the reports are left as they are\n";
            for (const auto& [kind, path] : reports) {
                warn_missing_tests(kind, path, std::nullopt, run_tests);
            }
        } else {
            auto context = repair::current_context();
            for (const auto& [kind, path] : reports) {
                auto outcome = repair::repair_report_file(kind, path, crashes, context);
                auto name = fmt::format("{} {}", repair::report_kind_name(kind), path);
                if (!outcome.patch.error.empty()) {
                    std::cerr << "blackbox postprocess: " << base::terminal_text(name) << ": "
                              << base::terminal_text(outcome.patch.error) << "; left untouched\n";
                    failed = true;
                } else {
                    std::cout << base::terminal_text(name) << ": "
                              << base::terminal_text(describe(outcome)) << "\n";
                    warn_missing_tests(kind, path, outcome.patch.text, run_tests);
                }
            }
        }
    }
    if (!options.sanitize_html.empty()) {
        std::vector<std::filesystem::path> paths(options.sanitize_html.begin(),
                                                 options.sanitize_html.end());
        auto report = repair::sanitize_html_paths(paths);
        for (const auto& path : report.sanitized) {
            std::cout << "sanitized " << base::terminal_text(path.string()) << "\n";
        }
        for (const auto& error : report.errors) {
            std::cerr << "blackbox postprocess: " << base::terminal_text(error)
                      << "; left untouched\n";
        }
        std::cout << fmt::format(
            "sanitize-html: {} file{} changed, {} unchanged, {} left with errors\n",
            report.sanitized.size(), report.sanitized.size() == 1 ? "" : "s", report.unchanged,
            report.errors.size());
        failed = failed || !report.errors.empty();
    }
    return failed ? 1 : 0;
}

}  // namespace

std::function<int()> setup_postprocess(CLI::App& app, const Invocation&) {
    auto options = std::make_shared<PostprocessOptions>();
    app.add_option("--crash-log", options->crash_log,
                   "pytest-abort's crashed-tests log (JSON Lines; default: "
                   "$PYTEST_ABORT_CRASHED_TESTS_LOG, else $JAX_ROCM_CRASHED_TESTS_LOG)");
    app.add_option("--run-dir", options->run_dir,
                   "A blackbox run directory whose crashes to add (cause, signal, phase, "
                   "traceback)");
    app.add_option("--json-report", options->json_report, "pytest-json-report file to repair");
    app.add_option("--junitxml", options->junitxml, "JUnit XML file to repair");
    app.add_option("--csv-report", options->csv_report, "pytest-csv file to repair");
    app.add_option("--html-report", options->html_report,
                   "pytest-html file (3.x or 4.x) to repair");
    app.add_option("--sanitize-html", options->sanitize_html,
                   "Files or directories (searched for *.html) whose pytest-html data-jsonblob "
                   "to make valid JSON for pytest_html_merger")
        ->expected(1, -1);
    app.footer(
        "A missing report (and its directory) is created; running twice changes nothing. "
        "Exit status: 0, 1 when a report could not be repaired, 4 for a usage error.");
    return [options] { return postprocess(*options); };
}

}  // namespace blackbox::cli
