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

// The history of the test `text` names: its node id, or a part of one that a single recorded
// node id contains ("test_primes" for "tests/test_x.py::test_primes"). When it names none, or
// several, the history has no points and `candidates` lists up to `suggestions` recorded node
// ids containing it (sorted), with `more` set when there are others.
struct NamedHistory {
    TestHistory history;
    std::vector<std::string> candidates;
    bool more = false;
};
NamedHistory load_named_history(MetricsSource& source, const std::string& text, std::size_t last,
                                std::size_t suggestions);

}  // namespace blackbox::compare
