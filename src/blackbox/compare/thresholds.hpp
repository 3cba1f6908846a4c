#pragma once

// When a change counts: a metric regresses when the new figure exceeds the baseline by more than
// the relative threshold AND by more than the absolute floor (the floor ignores noise on tiny
// figures, the relative part ignores noise on large ones). Improvements use the same two bounds
// downwards.

#include <cstdint>

#include <blackbox/compare/metric.hpp>

namespace blackbox::compare {

struct Threshold {
    double relative = 0.2;   // a fraction of the baseline: 0.2 = 20%
    double absolute = 0.05;  // in the metric's unit: seconds, or bytes for memory
};

struct Thresholds {
    Threshold wall{0.2, 0.05};
    Threshold cpu{0.2, 0.05};
    Threshold memory{0.2, 10.0 * 1024 * 1024};

    const Threshold& of(Metric metric) const;
};

// Whether going from `base` to `now` is a regression under `threshold`.
bool is_regression(double base, double now, const Threshold& threshold);

// Whether going from `base` to `now` is an improvement under `threshold`.
bool is_improvement(double base, double now, const Threshold& threshold);

}  // namespace blackbox::compare
