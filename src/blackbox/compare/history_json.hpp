#pragma once

// `blackbox history --json` (docs/commands/history.md): times in seconds, memory in bytes.

#include <nlohmann/json.hpp>

#include <blackbox/compare/test_history.hpp>

namespace blackbox::compare {

nlohmann::ordered_json history_json(const TestHistory& history);

}  // namespace blackbox::compare
