#pragma once

// The baseline of each test: per metric, the median of its figures over the baseline sessions in
// which it passed, and how much they spread. A failed, crashed or skipped run of a test says
// nothing about its normal cost, so it never enters the baseline.

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/compare/metric.hpp>
#include <blackbox/compare/test_figures.hpp>

namespace blackbox::compare {

struct MetricBaseline {
    double median = 0;
    double spread = 0;      // robust_spread() of the figures: 0 for a single one
    std::size_t count = 0;  // how many sessions measured it
    double highest = 0;     // the largest of the figures
};

struct TestBaseline {
    std::array<std::optional<MetricBaseline>, kMetrics.size()> metrics;  // indexed like kMetrics
    std::size_t passed_sessions = 0;  // how many sessions contributed

    const std::optional<MetricBaseline>& of(Metric metric) const {
        return metrics[static_cast<std::size_t>(metric)];
    }
    std::optional<double> median(Metric metric) const {
        const auto& base = of(metric);
        return base ? std::optional(base->median) : std::nullopt;
    }
};

// Tests that passed in at least one baseline session, by node id.
using Baseline = std::map<std::string, TestBaseline>;

// `sessions` holds each baseline session's tests (any order of sessions, any outcomes).
Baseline build_baseline(const std::vector<std::vector<TestFigures>>& sessions);

}  // namespace blackbox::compare
