#pragma once

// MetricsSource over a metrics database (docs/formats/metrics-db.md): read queries on
// `blackbox_runs` and `blackbox_tests` only. Sessions adopted from a pytest-monitor file have no
// `blackbox_runs` row and are not seen: their figures (call phase only, memory above the
// session's start) are not comparable with ours.

#include <SQLiteCpp/Database.h>
#include <optional>
#include <string>

#include <blackbox/compare/metrics_source.hpp>

namespace blackbox::compare {

// Exit status for a database that cannot be read (corrupt, foreign, locked beyond the timeout).
inline constexpr int kUnreadableDatabase = 2;

class SqliteSource : public MetricsSource {
  public:
    // Reads `database`, which must outlive this object. Nothing is written.
    explicit SqliteSource(SQLite::Database& database);

    // Each throws blackbox::Error (kUnreadableDatabase) when SQLite fails.
    std::vector<Session> sessions() override;
    std::vector<TestFigures> tests(const std::string& session_h) override;
    std::vector<HistoryPoint> history(const std::string& nodeid) override;
    std::vector<std::string> nodeids_containing(const std::string& text,
                                                std::size_t limit) override;

  private:
    std::string test_columns();  // what read_test() reads, as this file holds it

    SQLite::Database& database_;
    std::optional<bool> scheduler_columns_;  // blackbox_tests has the scheduler's figures
};

}  // namespace blackbox::compare
