#include "thresholds.hpp"

#include <algorithm>

namespace blackbox::compare {

const Threshold& Thresholds::of(Metric metric) const {
    switch (metric) {
        case Metric::wall:
            return wall;
        case Metric::cpu:
            return cpu;
        case Metric::memory:
            return memory;
    }
    return wall;
}

double margin(const MetricBaseline& base, const Threshold& threshold, double spread) {
    return std::max({spread * base.spread, threshold.relative * base.median, threshold.absolute});
}

double growth_margin(const MetricBaseline& base, const Threshold& threshold, double spread) {
    double least = margin(base, threshold, spread);
    return std::max(least, base.highest - base.median + least / 2);
}

}  // namespace blackbox::compare
