#pragma once

// The regression engine, pure: one session's tests against a baseline, under thresholds. Only
// tests that passed on both sides are compared; the others are counted (and named) so that a
// verdict never hides how much it covered.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/compare/baseline.hpp>
#include <blackbox/compare/metric.hpp>
#include <blackbox/compare/test_figures.hpp>
#include <blackbox/compare/thresholds.hpp>

namespace blackbox::compare {

// One metric of one test that moved beyond its thresholds.
struct Change {
    std::string nodeid;
    Metric metric = Metric::wall;
    double base = 0;                    // the baseline's median
    double now = 0;                     // the new session's figure
    std::size_t baseline_sessions = 0;  // how many sessions the median is over

    // (now - base) / base; empty when the baseline is 0 (any growth is then unbounded).
    std::optional<double> relative() const;
};

// A test that ran in the new session with another outcome than passed, but passed before.
struct NotPassed {
    std::string nodeid;
    std::string outcome;
};

struct Comparison {
    std::vector<Change> regressions;   // worst first: largest relative growth first
    std::vector<Change> improvements;  // best first: largest relative shrink first
    std::size_t compared = 0;          // tests that passed in the new session and in the baseline
    std::vector<std::string> without_baseline;  // passed now, passed in no baseline session
    std::vector<std::string> missing;           // passed in the baseline, absent now
    std::vector<NotPassed> not_passed;          // passed in the baseline, not passed now
};

// Compares `now` (one session's tests) with `baseline`. Node ids in the lists are sorted.
Comparison compare_tests(const std::vector<TestFigures>& now, const Baseline& baseline,
                         const Thresholds& thresholds);

}  // namespace blackbox::compare
