#include "comparison_report.hpp"

#include <blackbox/compare/baseline.hpp>

namespace blackbox::compare {

ComparisonReport run_comparison(MetricsSource& source, const ComparisonRequest& request) {
    ComparisonReport report;
    report.thresholds = request.thresholds;
    auto sessions = source.sessions();
    if (!request.base.empty()) {
        report.selection = select_explicit(sessions, request.base, request.now);
        // One session against another: its figures' spread is unknown, only the floors apply.
        report.thresholds.min_sessions = 1;
    } else {
        report.selection = select_default(sessions, request.last, request.require_same_context,
                                          request.thresholds.min_sessions);
    }
    if (!report.selection.now || report.selection.baseline.empty()) {
        return report;
    }
    std::vector<std::vector<TestFigures>> baseline_tests;
    baseline_tests.reserve(report.selection.baseline.size());
    for (const auto& session : report.selection.baseline) {
        baseline_tests.push_back(source.tests(session.session_h));
    }
    report.comparison = compare_tests(source.tests(report.selection.now->session_h),
                                      build_baseline(baseline_tests), report.thresholds);
    return report;
}

std::string_view verdict(const ComparisonReport& report) {
    if (report.selection.baseline.empty() || report.comparison.compared == 0) {
        return "nothing_to_compare";
    }
    return report.comparison.regressions.empty() ? "ok" : "regressed";
}

int exit_status(const ComparisonReport& report) {
    auto word = verdict(report);
    if (word == "nothing_to_compare") {
        return kNothingToCompare;
    }
    return word == "regressed" ? kRegression : kNoRegression;
}

}  // namespace blackbox::compare
