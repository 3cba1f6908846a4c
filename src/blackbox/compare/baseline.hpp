#pragma once

// The baseline of each test: per metric, the median of its figures over the baseline sessions in
// which it passed. A failed, crashed or skipped run of a test says nothing about its normal cost,
// so it never enters the baseline.

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/compare/metric.hpp>
#include <blackbox/compare/test_figures.hpp>

namespace blackbox::compare {

struct TestBaseline {
    std::array<std::optional<double>, kMetrics.size()> medians;  // indexed like kMetrics
    std::size_t passed_sessions = 0;                             // how many sessions contributed

    std::optional<double> of(Metric metric) const {
        return medians[static_cast<std::size_t>(metric)];
    }
};

// Tests that passed in at least one baseline session, by node id.
using Baseline = std::map<std::string, TestBaseline>;

// `sessions` holds each baseline session's tests (any order of sessions, any outcomes).
Baseline build_baseline(const std::vector<std::vector<TestFigures>>& sessions);

}  // namespace blackbox::compare
