#pragma once

// How much a test's figure moves between runs of unchanged code: a robust standard deviation
// (1.4826 times the median absolute deviation from the median), which one odd run does not
// inflate, as the median is not moved by it.

#include <vector>

namespace blackbox::compare {

// The scale factor that makes the median absolute deviation estimate the standard deviation of
// normally distributed figures.
inline constexpr double kMadToStandardDeviation = 1.4826;

// 1.4826 × median(|v − median(v)|); 0 for fewer than two values.
double robust_spread(const std::vector<double>& values);

}  // namespace blackbox::compare
