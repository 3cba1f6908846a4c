#include <blackbox/repair/crash_sources.hpp>
#include <blackbox/repair/csv_merge.hpp>
#include <blackbox/repair/csv_repair.hpp>
#include <blackbox/repair/html_merge.hpp>
#include <blackbox/repair/html_repair.hpp>
#include <blackbox/repair/json_report_merge.hpp>
#include <blackbox/repair/json_report_repair.hpp>
#include <blackbox/repair/junit_merge.hpp>
#include <blackbox/repair/junit_repair.hpp>
#include <blackbox/repair/run_report_merge.hpp>
#include <blackbox/repair/test_entry.hpp>

namespace blackbox::repair {

namespace {

// pytest's exit status for the whole run: 1 with a failure, an error or a crash, 2 when the
// user stopped it, else 0.
int whole_run_exitcode(const postmortem::RunModel& run) {
    const auto& counts = run.counts;
    if (counts.failed + counts.errors + counts.crashed > 0) {
        return 1;
    }
    return counts.interrupted > 0 || run.forwarded_signal ? 2 : 0;
}

JsonReportRun json_report_run(const postmortem::RunModel& run) {
    JsonReportRun facts;
    facts.collected = run.counts.collected + run.counts.deselected;
    facts.deselected = run.counts.deselected;
    facts.exitcode = whole_run_exitcode(run);
    for (const auto& test : run.tests) {
        facts.selected.insert(test.nodeid);
    }
    return facts;
}

// The crashes put in as `blackbox postprocess --run-dir` puts them.
RunReportMerge with_crashes(Patch merged, ReportKind kind, const postmortem::RunModel& run,
                            const RepairContext& context, std::string_view title) {
    RunReportMerge result;
    if (!merged.error.empty() || !merged.text) {
        result.patch = std::move(merged);
        return result;
    }
    auto crashes = crashes_of_run(run);
    Patch repaired;
    switch (kind) {
        case ReportKind::junit:
            repaired = repair_junit(merged.text, crashes, context);
            break;
        case ReportKind::json_report:
            repaired = repair_json_report(merged.text, crashes, context);
            break;
        case ReportKind::csv:
            repaired = repair_csv(merged.text, crashes, context);
            break;
        case ReportKind::html:
            repaired = repair_html(merged.text, crashes, context, title);
            break;
    }
    if (!repaired.error.empty()) {
        result.patch = std::move(repaired);
        return result;
    }
    result.crashes = repaired.added + repaired.marked;
    result.patch = std::move(merged);
    if (repaired.text) {
        result.patch.text = std::move(repaired.text);
    }
    result.patch.marked = repaired.marked;
    result.patch.already = repaired.already;
    return result;
}

}  // namespace

bool mergeable_kind(const std::string& name, ReportKind& kind) {
    if (name == "junit") {
        kind = ReportKind::junit;
        return true;
    }
    if (name == "json-report") {
        kind = ReportKind::json_report;
        return true;
    }
    if (name == "csv") {
        kind = ReportKind::csv;
        return true;
    }
    if (name == "html") {
        kind = ReportKind::html;
        return true;
    }
    return false;
}

RunReportMerge merge_run_report(ReportKind kind, const std::vector<std::string>& attempts,
                                const postmortem::RunModel& run, const RepairContext& context,
                                std::string_view title) {
    const auto tests = test_entries_of_run(run);
    Patch merged;
    switch (kind) {
        case ReportKind::junit:
            merged = merge_junit(attempts, tests, context);
            break;
        case ReportKind::json_report:
            merged = merge_json_report(attempts, tests, json_report_run(run), context);
            break;
        case ReportKind::csv:
            merged = merge_csv(attempts, tests, context);
            break;
        case ReportKind::html:
            merged = merge_html(attempts, tests, context, title);
            break;
    }
    auto result = with_crashes(std::move(merged), kind, run, context, title);
    if (result.patch.text) {
        std::vector<std::string> order;
        order.reserve(run.tests.size());
        for (const auto& test : run.tests) {
            order.push_back(test.nodeid);
        }
        if (kind == ReportKind::junit) {
            result.patch.text = order_junit(*result.patch.text, order);
        } else if (kind == ReportKind::json_report) {
            result.patch.text = order_json_report(*result.patch.text, order);
        } else if (kind == ReportKind::csv) {
            result.patch.text = order_csv(*result.patch.text, order);
        }
    }
    return result;
}

}  // namespace blackbox::repair
