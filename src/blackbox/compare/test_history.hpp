#pragma once

// One test's trend across sessions: `blackbox history NODEID` (docs/commands/history.md).

#include <cstddef>
#include <string>
#include <vector>

#include <blackbox/compare/metrics_source.hpp>

namespace blackbox::compare {

struct TestHistory {
    std::string nodeid;
    std::vector<HistoryPoint> points;  // the last sessions that ran the test, oldest first
    std::size_t recorded = 0;          // how many sessions ran it in all
};

// The last `last` sessions that ran `nodeid` (0: all). An unknown test gives no points.
TestHistory load_history(MetricsSource& source, const std::string& nodeid, std::size_t last);

}  // namespace blackbox::compare
