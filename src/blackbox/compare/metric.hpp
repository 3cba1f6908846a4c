#pragma once

// The three compared metrics: wall time, CPU time and the memory a test added (its peak over its
// start).

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <blackbox/compare/test_figures.hpp>

namespace blackbox::compare {

enum class Metric { wall, cpu, memory };

inline constexpr std::array<Metric, 3> kMetrics{Metric::wall, Metric::cpu, Metric::memory};

// "wall", "cpu", "memory": the names of the table, the JSON and the options.
std::string_view metric_name(Metric metric);

// The test's figure for `metric` (seconds, or bytes for memory); empty when not measured.
std::optional<double> metric_value(const TestFigures& test, Metric metric);

// A figure for people: "1.234 s", "412 ms" or "2.5 ms" for times, "64 MiB" for memory.
std::string format_metric_value(Metric metric, double value);

}  // namespace blackbox::compare
