#pragma once

// pytest-monitor's remote protocol (its documentation's chapter 7 and its client's behaviour,
// docs/http-api.md): the JSON bodies its client posts, read into our rows, and the bodies it
// reads back. Its field names differ from its table's columns (`h`, `scm_ref`, `ram_total`,
// `context_h`…): both directions are here, and nowhere else.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <blackbox/store/execution_context_row.hpp>
#include <blackbox/store/metrics_row.hpp>
#include <blackbox/store/session_row.hpp>
#include <blackbox/store/upload.hpp>

namespace blackbox::wire {

// A body read, or the first problem found in it.
template <typename T>
struct Parsed {
    std::optional<T> value;
    std::string error;
};

// POST /contexts/. Never throws.
Parsed<store::ExecutionContextRow> parse_monitor_context(const nlohmann::json& body);
// POST /sessions/. `description` may be a JSON object (its client's) or a string (its docs').
Parsed<store::SessionRow> parse_monitor_session(const nlohmann::json& body);
// POST /metrics/.
Parsed<store::MonitorMetric> parse_monitor_metric(const nlohmann::json& body);

// A context with the field names its client posts (`h` among them).
nlohmann::json monitor_context_json(const store::ExecutionContextRow& row);
// A session with the field names its client posts; `description` as the stored JSON when it
// parses, else as the stored text.
nlohmann::json monitor_session_json(const store::SessionRow& row);
// A metric with the field names its client posts.
nlohmann::json monitor_metric_json(const store::MonitorMetric& metric);

}  // namespace blackbox::wire
