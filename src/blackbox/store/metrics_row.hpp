#pragma once

// pytest-monitor's TEST_METRICS row (docs/formats/metrics-db.md): a test (KIND function), or a
// module, class or session a process ran. Absent figures are NULL in the database.

#include <optional>
#include <string>

#include <blackbox/postmortem/run_model.hpp>
#include <blackbox/store/item_location.hpp>

namespace blackbox::store {

struct MetricsRow {
    std::optional<std::string> item_start_time;  // iso_utc of the setup's start
    std::string item_path, item, item_variant, item_fs_loc;
    std::string kind;  // "function", "module", "class", "session"
    std::string component;
    std::optional<double> total_time;  // s: the call phase, or the scope's span
    std::optional<double> user_time, kernel_time;
    std::optional<double> cpu_usage;  // (user + kernel) / wall × 100
    std::optional<double> mem_usage;  // MiB
    std::string outcome;              // "" for scopes
    std::string nodeid;
};

// A test's row; `start` is its ITEM_START_TIME (test_start_text).
MetricsRow function_metrics(const postmortem::TestResult& test, const ItemLocation& location,
                            const std::optional<std::string>& start);

// A module's, class's or session's row.
MetricsRow scope_metrics(const postmortem::ScopeMetrics& scope,
                         const std::optional<postmortem::ClockAnchor>& clock);

// When the test's setup began, as iso_utc: the first phase's beginning, else when the phase its
// process died in began (`crash`: the test's crash, or null); `clock` turns monotonic times
// into wall times. nullopt when unknown.
std::optional<std::string> test_start_text(const postmortem::TestResult& test,
                                           const postmortem::Crash* crash,
                                           const std::optional<postmortem::ClockAnchor>& clock);

}  // namespace blackbox::store
