#include <blackbox/repair/crash_sources.hpp>
#include <blackbox/repair/junit_merge.hpp>
#include <blackbox/repair/junit_repair.hpp>
#include <blackbox/repair/run_report_merge.hpp>
#include <blackbox/repair/test_entry.hpp>

namespace blackbox::repair {

namespace {

// The crashes put in as `blackbox postprocess --run-dir` puts them.
RunReportMerge with_crashes(Patch merged, ReportKind kind, const postmortem::RunModel& run,
                            const RepairContext& context) {
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
        default:
            repaired = Patch::failure("this report cannot be merged");
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
    return false;
}

RunReportMerge merge_run_report(ReportKind kind, const std::vector<std::string>& attempts,
                                const postmortem::RunModel& run, const RepairContext& context) {
    const auto tests = test_entries_of_run(run);
    Patch merged;
    switch (kind) {
        case ReportKind::junit:
            merged = merge_junit(attempts, tests, context);
            break;
        default:
            merged = Patch::failure("this report cannot be merged");
            break;
    }
    auto result = with_crashes(std::move(merged), kind, run, context);
    if (result.patch.text && kind == ReportKind::junit) {
        std::vector<std::string> order;
        order.reserve(run.tests.size());
        for (const auto& test : run.tests) {
            order.push_back(test.nodeid);
        }
        result.patch.text = order_junit(*result.patch.text, order);
    }
    return result;
}

}  // namespace blackbox::repair
