#pragma once

// One `blackbox compare`: the sessions selected, the comparison of their tests, and the verdict
// CI gates on.

#include <cstddef>
#include <string>
#include <string_view>

#include <blackbox/compare/comparison.hpp>
#include <blackbox/compare/metrics_source.hpp>
#include <blackbox/compare/session_selection.hpp>
#include <blackbox/compare/thresholds.hpp>

namespace blackbox::compare {

// Exit statuses of `blackbox compare`, documented in docs/commands/compare.md.
inline constexpr int kNoRegression = 0;
inline constexpr int kRegression = 1;
inline constexpr int kNothingToCompare = 2;  // also: wrong arguments

struct ComparisonRequest {
    std::string base;       // a session selector, or empty for the default baseline
    std::string now;        // a session selector, or empty for the newest session
    std::size_t last = 10;  // the default baseline: this many sessions before the newest
    bool require_same_context = false;
    Thresholds thresholds;
};

struct ComparisonReport {
    Selection selection;
    Comparison comparison;
    Thresholds thresholds;  // as applied: an explicit BASE judges on one session
};

// Selects the sessions and compares them. Throws blackbox::Error (kNothingToCompare) when a
// selector names no session; an empty baseline is a value (see verdict).
ComparisonReport run_comparison(MetricsSource& source, const ComparisonRequest& request);

// "regressed", "ok", or "nothing_to_compare" (no baseline session, or no test passed on both
// sides in enough baseline sessions: a gate that compared nothing must not pass silently).
std::string_view verdict(const ComparisonReport& report);

// The exit status matching verdict(): 1, 0 or 2.
int exit_status(const ComparisonReport& report);

}  // namespace blackbox::compare
