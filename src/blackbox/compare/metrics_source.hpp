#pragma once

// The seam between compare/history and the database: the few reads they need. The SQLite
// implementation is `SqliteSource`; unit tests give the engine in-memory histories instead.

#include <cstddef>
#include <string>
#include <vector>

#include <blackbox/compare/session.hpp>
#include <blackbox/compare/test_figures.hpp>

namespace blackbox::compare {

// One test in one session, for its history.
struct HistoryPoint {
    Session session;
    TestFigures test;
};

class MetricsSource {
  public:
    virtual ~MetricsSource() = default;

    // Every recorded session, oldest first (by start time, then run id).
    virtual std::vector<Session> sessions() = 0;

    // The tests of one session (every outcome), in no particular order.
    virtual std::vector<TestFigures> tests(const std::string& session_h) = 0;

    // The test `nodeid` in every session that ran it, oldest first.
    virtual std::vector<HistoryPoint> history(const std::string& nodeid) = 0;

    // Up to `limit` recorded node ids containing `text`, sorted: suggestions for a mistyped one.
    virtual std::vector<std::string> nodeids_containing(const std::string& text,
                                                        std::size_t limit) = 0;
};

}  // namespace blackbox::compare
