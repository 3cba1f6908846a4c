#pragma once

// Writes one run's rows into the metrics database through statements prepared once (a
// 100,000-test run is two hundred thousand inserts). The caller holds the transaction.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <string>

#include <blackbox/postmortem/run_model.hpp>
#include <blackbox/store/execution_context_row.hpp>
#include <blackbox/store/metrics_row.hpp>
#include <blackbox/store/run_rows.hpp>
#include <blackbox/store/session_row.hpp>
#include <blackbox/store/test_row.hpp>
#include <blackbox/store/upload.hpp>

namespace blackbox::store {

// What blackbox_runs says beyond the RunModel.
struct RunFacts {
    std::string run_dir;   // absolute
    std::string ingested;  // iso_utc of now
};

// Every method throws SQLite::Exception when SQLite fails.
class RunWriter : public RowSink {
  public:
    // `database` must outlive the writer; its schema must be current (open_database).
    RunWriter(SQLite::Database& database, std::string session_h, std::string env_h);

    // Deletes the session's rows from every table: ingesting a run again replaces its rows.
    void remove_previous();
    void write_context(const ExecutionContextRow& row);  // kept when already known
    void write_session(const SessionRow& row);
    void write_run(const postmortem::RunModel& run, const SessionRow& session,
                   const RunFacts& facts);
    // A run's row as a server's upload gives it; `ingested` as iso_utc_ms gives it.
    void write_run(const RunRow& row, const std::string& ingested);
    void write_metrics(const MetricsRow& row) override;
    void write_test(const TestRow& row) override;
    void write_crash(const postmortem::Crash& crash);

  private:
    SQLite::Database& database_;
    std::string session_h_, env_h_;
    SQLite::Statement metrics_, test_, crash_;
};

}  // namespace blackbox::store
