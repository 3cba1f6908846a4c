#include "report_options.hpp"

#include <blackbox/base/memory_size.hpp>

namespace blackbox::cli {

void add_report_options(CLI::App& app, report::ReportSet& reports) {
    app.add_option("--junitxml", reports.junitxml,
                   "Write a JUnit XML report to FILE: every collected test once, crashed tests "
                   "as errors naming cause, signal, phase and memory, tests not reached as "
                   "skipped; written even when the run crashed");
    app.add_option("--json", reports.json,
                   "Write the JSON report to FILE: every test with its outcome, durations, CPU "
                   "and memory, and the crashes (docs/formats/report-json.md)");
    app.add_option("--md", reports.markdown,
                   "Write a Markdown summary to FILE (counts, crashes, slowest and most "
                   "memory-hungry tests); also appended to $GITHUB_STEP_SUMMARY when it is set");
    app.add_option_function<std::string>(
           "--hungry-from",
           [&reports](const std::string& text) {
               reports.hungry_from = static_cast<std::int64_t>(*base::parse_size(text).bytes);
           },
           "The Markdown summary lists a test among the most memory-hungry only when it added "
           "at least SIZE (its peak over its start, in its process or its process tree; default "
           "10 MiB); with none, the list is left out")
        ->type_name("SIZE")
        ->check([](const std::string& text) { return base::parse_size(text).error; });
    app.add_option("--html", reports.html,
                   "Write the self-contained HTML report to FILE: the verdict, the memory "
                   "timeline with each test's stretch, and a sortable table of every test "
                   "(docs/formats/report-html.md)");
}

}  // namespace blackbox::cli
