#include "baseline.hpp"

#include <algorithm>

#include <blackbox/compare/median.hpp>
#include <blackbox/compare/spread.hpp>

namespace blackbox::compare {

Baseline build_baseline(const std::vector<std::vector<TestFigures>>& sessions) {
    std::map<std::string, std::array<std::vector<double>, kMetrics.size()>> samples;
    Baseline baseline;
    for (const auto& tests : sessions) {
        for (const auto& test : tests) {
            if (!test.passed()) {
                continue;
            }
            baseline[test.nodeid].passed_sessions += 1;
            auto& values = samples[test.nodeid];
            for (auto metric : kMetrics) {
                if (auto value = metric_value(test, metric)) {
                    values[static_cast<std::size_t>(metric)].push_back(*value);
                }
            }
        }
    }
    for (auto& [nodeid, values] : samples) {
        auto& entry = baseline[nodeid];
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (values[i].empty()) {
                continue;
            }
            entry.metrics[i] =
                MetricBaseline{*median(values[i]), robust_spread(values[i]), values[i].size(),
                               *std::max_element(values[i].begin(), values[i].end())};
        }
    }
    return baseline;
}

}  // namespace blackbox::compare
