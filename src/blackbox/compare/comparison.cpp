#include "comparison.hpp"

#include <algorithm>
#include <limits>
#include <set>

namespace blackbox::compare {

std::optional<double> Change::relative() const {
    if (base == 0) {
        return std::nullopt;
    }
    return (now - base) / base;
}

namespace {

// The sort key of a change: an unbounded growth (from 0) ranks above any finite one.
double severity(const Change& change) {
    auto relative = change.relative();
    return relative ? *relative : std::numeric_limits<double>::infinity();
}

// Equal severities keep a stable, readable order: by test, then metric.
bool same_rank_order(const Change& a, const Change& b) {
    if (a.nodeid != b.nodeid) {
        return a.nodeid < b.nodeid;
    }
    return a.metric < b.metric;
}

}  // namespace

Comparison compare_tests(const std::vector<TestFigures>& now, const Baseline& baseline,
                         const Thresholds& thresholds) {
    Comparison result;
    std::set<std::string> seen;
    for (const auto& test : now) {
        seen.insert(test.nodeid);
        auto found = baseline.find(test.nodeid);
        if (!test.passed()) {
            if (found != baseline.end()) {
                result.not_passed.push_back({test.nodeid, test.outcome});
            }
            continue;
        }
        if (found == baseline.end()) {
            result.without_baseline.push_back(test.nodeid);
            continue;
        }
        result.compared += 1;
        const auto& base = found->second;
        for (auto metric : kMetrics) {
            auto before = base.of(metric);
            auto after = metric_value(test, metric);
            if (!before || !after) {
                continue;
            }
            Change change{test.nodeid, metric, *before, *after, base.passed_sessions};
            const auto& threshold = thresholds.of(metric);
            if (is_regression(*before, *after, threshold)) {
                result.regressions.push_back(change);
            } else if (is_improvement(*before, *after, threshold)) {
                result.improvements.push_back(change);
            }
        }
    }
    for (const auto& [nodeid, entry] : baseline) {
        if (!seen.contains(nodeid)) {
            result.missing.push_back(nodeid);
        }
    }
    std::stable_sort(result.regressions.begin(), result.regressions.end(),
                     [](const Change& a, const Change& b) {
                         double sa = severity(a), sb = severity(b);
                         return sa != sb ? sa > sb : same_rank_order(a, b);
                     });
    std::stable_sort(result.improvements.begin(), result.improvements.end(),
                     [](const Change& a, const Change& b) {
                         double sa = severity(a), sb = severity(b);
                         return sa != sb ? sa < sb : same_rank_order(a, b);
                     });
    std::sort(result.without_baseline.begin(), result.without_baseline.end());
    std::sort(result.not_passed.begin(), result.not_passed.end(),
              [](const NotPassed& a, const NotPassed& b) { return a.nodeid < b.nodeid; });
    return result;
}

}  // namespace blackbox::compare
