#include "spread.hpp"

#include <cmath>

#include <blackbox/compare/median.hpp>

namespace blackbox::compare {

double robust_spread(const std::vector<double>& values) {
    if (values.size() < 2) {
        return 0;
    }
    double middle = *median(values);
    std::vector<double> deviations;
    deviations.reserve(values.size());
    for (double value : values) {
        deviations.push_back(std::abs(value - middle));
    }
    return kMadToStandardDeviation * *median(std::move(deviations));
}

}  // namespace blackbox::compare
