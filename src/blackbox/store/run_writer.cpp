#include <blackbox/base/clock.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/store/iso_time.hpp>
#include <blackbox/store/row_binding.hpp>
#include <blackbox/store/run_writer.hpp>
#include <blackbox/store/sql.hpp>

namespace blackbox::store {

namespace {

// end.json's time in the format of every other time of the database.
std::optional<std::string> iso_text(const std::optional<std::string>& written) {
    if (!written) {
        return std::nullopt;
    }
    auto wall_ns = base::parse_iso8601_utc(*written);
    return wall_ns ? iso_utc(static_cast<double>(*wall_ns) / 1e9) : *written;
}

std::string insert(std::string_view name, Conflict conflict = Conflict::fail) {
    return insert_sql(sqlite_dialect(), table(name), conflict);
}

// Runs an insert and makes its statement ready for the next row.
void run(SQLite::Statement& statement) {
    statement.exec();
    statement.reset();
}

}  // namespace

RunWriter::RunWriter(SQLite::Database& database, std::string session_h, std::string env_h)
    : database_(database),
      session_h_(std::move(session_h)),
      env_h_(std::move(env_h)),
      metrics_(database, insert(kTestMetrics)),
      // A node id twice in one run (a plugin's items may repeat one): the last wins.
      test_(database, insert(kTests, Conflict::replace)),
      crash_(database, insert(kCrashes)) {}

void RunWriter::remove_previous() {
    for (auto name : {kTestMetrics, kTestSessions, kRuns, kTests, kCrashes}) {
        SQLite::Statement statement(database_, remove_run_rows_sql(sqlite_dialect(), table(name)));
        statement.bind(1, session_h_);
        statement.exec();
    }
}

void RunWriter::write_context(const ExecutionContextRow& row) {
    SQLite::Statement statement(database_, insert(kExecutionContexts, Conflict::ignore));
    StatementBinder binder(statement);
    context_values(row, binder);
    statement.exec();
}

void RunWriter::write_session(const SessionRow& row) {
    SQLite::Statement statement(database_, insert(kTestSessions));
    StatementBinder binder(statement);
    session_values(session_h_, row, binder);
    statement.exec();
}

void RunWriter::write_run(const postmortem::RunModel& run, const SessionRow& session,
                          const RunFacts& facts) {
    RunRow row;
    row.run_id = session.run_id;
    row.run_dir = base::name_text(facts.run_dir);
    if (!session.run_date.empty()) {
        row.started = session.run_date;
    }
    row.ended = run.finished ? iso_text(run.ended) : std::nullopt;
    row.duration_s = run.duration_s;
    row.command = base::json_text(nlohmann::json(run.command));
    row.status = run.status;
    row.exit_code = run.blackbox_exit_code;
    row.attempts = run.attempts;
    set_counts(row, run.counts);
    set_settings_and_course(row, run);
    row.context = base::json_text(run.context);
    write_run(row, facts.ingested);
}

void RunWriter::write_run(const RunRow& row, const std::string& ingested) {
    SQLite::Statement statement(database_, insert(kRuns));
    StatementBinder binder(statement);
    run_values(session_h_, env_h_, row, ingested, binder);
    statement.exec();
}

void RunWriter::write_metrics(const MetricsRow& row) {
    StatementBinder binder(metrics_);
    metrics_values(session_h_, env_h_, row, binder);
    run(metrics_);
}

void RunWriter::write_test(const TestRow& row) {
    StatementBinder binder(test_);
    test_values(session_h_, row, binder);
    run(test_);
}

void RunWriter::write_crash(const postmortem::Crash& crash) {
    StatementBinder binder(crash_);
    crash_values(session_h_, crash, binder);
    run(crash_);
}

}  // namespace blackbox::store
