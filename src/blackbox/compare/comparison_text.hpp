#pragma once

// `blackbox compare`'s table: what was compared with what, the regressions worst first, the
// improvements, and the verdict (docs/commands/compare.md).

#include <cstddef>
#include <string>

#include <blackbox/compare/comparison_report.hpp>

namespace blackbox::compare {

// The report for a terminal; at most `limit` rows per table (0: all), with a line counting the
// rows left out.
std::string comparison_text(const ComparisonReport& report, std::size_t limit);

// "+52%", "-31%", "×25" from 11 times the baseline on, or "+inf" for a growth from 0.
std::string format_change(const Change& change);

// "wall +25% and 20 ms plus waits (3× its CPU time), cpu +50% and 50 ms, memory +20% and 10 MiB,
// each at least 5× the test's spread".
std::string format_thresholds(const Thresholds& thresholds);

}  // namespace blackbox::compare
