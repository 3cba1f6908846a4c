#pragma once

// `blackbox compare --json`: the whole report, every change and every test left out, in the
// shape documented in docs/commands/compare.md. Times in seconds, memory in bytes.

#include <nlohmann/json.hpp>

#include <blackbox/compare/comparison_report.hpp>

namespace blackbox::compare {

nlohmann::ordered_json comparison_json(const ComparisonReport& report);

}  // namespace blackbox::compare
