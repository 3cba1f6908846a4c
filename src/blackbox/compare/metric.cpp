#include "metric.hpp"

#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include <blackbox/base/memory_size.hpp>

namespace blackbox::compare {

std::string_view metric_name(Metric metric) {
    switch (metric) {
        case Metric::wall:
            return "wall";
        case Metric::cpu:
            return "cpu";
        case Metric::memory:
            return "memory";
    }
    return "?";
}

std::optional<double> metric_value(const TestFigures& test, Metric metric) {
    switch (metric) {
        case Metric::wall:
            return test.wall_s;
        case Metric::cpu:
            return test.cpu_s;
        case Metric::memory:
            if (auto added = test.added_bytes()) {
                return static_cast<double>(*added);
            }
            return std::nullopt;
    }
    return std::nullopt;
}

std::string format_metric_value(Metric metric, double value) {
    if (metric != Metric::memory) {
        // Most tests take milliseconds: "0.000 s" would say nothing about them.
        if (value < 0.01) {
            return fmt::format("{:.1f} ms", value * 1000);
        }
        if (value < 1.0) {
            return fmt::format("{:.0f} ms", value * 1000);
        }
        return fmt::format("{:.3f} s", value);
    }
    // A median of two byte counts may end in .5: round to whole bytes for people.
    auto bytes = static_cast<std::uint64_t>(std::llround(std::max(value, 0.0)));
    return base::format_size(bytes);
}

}  // namespace blackbox::compare
