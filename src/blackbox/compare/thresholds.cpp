#include "thresholds.hpp"

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

bool is_regression(double base, double now, const Threshold& threshold) {
    double growth = now - base;
    return growth > threshold.absolute && growth > threshold.relative * base;
}

bool is_improvement(double base, double now, const Threshold& threshold) {
    double shrink = base - now;
    return shrink > threshold.absolute && shrink > threshold.relative * base;
}

}  // namespace blackbox::compare
