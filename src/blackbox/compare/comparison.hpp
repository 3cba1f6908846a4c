#pragma once

// The regression engine, pure: one session's tests against a baseline, under the rule of
// thresholds.hpp. Only tests that passed on both sides, with enough baseline sessions to know
// their noise, are compared; the others are counted (and named) so that a verdict never hides
// how much it covered.

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
    double spread = 0;                  // the baseline's robust standard deviation
    double limit = 0;                   // the smallest change that counted, allowances included
    std::size_t baseline_sessions = 0;  // how many sessions the median is over

    // (now - base) / base; empty when the baseline is 0 (any growth is then unbounded).
    std::optional<double> relative() const;
};

// A test that ran in the new session with another outcome than passed, but passed before.
struct NotPassed {
    std::string nodeid;
    std::string outcome;
};

// Below this many tests with enough CPU time, a session's CPU factor is not estimated.
inline constexpr std::size_t kCpuFactorMinimumTests = 5;
// Tests whose baseline CPU time is below this (seconds) do not enter the CPU factor: their
// ratios are mostly the clock's resolution.
inline constexpr double kCpuFactorMinimumSeconds = 0.01;

struct Comparison {
    std::vector<Change> regressions;   // worst first: largest relative growth first
    std::vector<Change> improvements;  // best first: largest relative shrink first
    std::size_t compared = 0;          // tests judged: passed now and in enough baseline sessions
    std::vector<std::string> without_baseline;  // passed now, passed in no baseline session
    std::vector<std::string> little_history;    // passed now, in fewer baseline sessions than
                                                // the rule's min_sessions
    std::vector<std::string> missing;           // passed in the baseline, absent now
    std::vector<NotPassed> not_passed;          // passed in the baseline, not passed now
    // How much slower the session's processor time was than the baseline's, over its tests (the
    // median of their ratios, when at least kCpuFactorMinimumTests have enough CPU time): a
    // slower or busier machine slows every test alike. CPU regressions are judged after
    // dividing by it when it exceeds 1. 1 when not estimated.
    double cpu_factor = 1;
};

// Compares `now` (one session's tests) with `baseline`. Node ids in the lists are sorted.
Comparison compare_tests(const std::vector<TestFigures>& now, const Baseline& baseline,
                         const Thresholds& thresholds);

}  // namespace blackbox::compare
