#include <blackbox/base/clock.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/store/iso_time.hpp>
#include <blackbox/store/row_binding.hpp>
#include <blackbox/store/run_writer.hpp>

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

// Runs an insert and makes its statement ready for the next row.
void insert(SQLite::Statement& statement) {
    statement.exec();
    statement.reset();
}

}  // namespace

RunWriter::RunWriter(SQLite::Database& database, std::string session_h, std::string env_h)
    : database_(database),
      session_h_(std::move(session_h)),
      env_h_(std::move(env_h)),
      metrics_(database,
               "INSERT INTO TEST_METRICS (SESSION_H, ENV_H, ITEM_START_TIME, ITEM_PATH, ITEM, "
               "ITEM_VARIANT, ITEM_FS_LOC, KIND, COMPONENT, TOTAL_TIME, USER_TIME, KERNEL_TIME, "
               "CPU_USAGE, MEM_USAGE, OUTCOME, NODEID) VALUES "
               "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      test_(database,
            // A node id twice in one run (a plugin's items may repeat one): the last wins.
            "INSERT OR REPLACE INTO blackbox_tests (session_h, nodeid, outcome, worker, attempt, "
            "start, "
            "setup_s, call_s, teardown_s, total_s, user_s, sys_s, peak_rss_bytes, peak_exact, "
            "peak_tree_rss_bytes, rss_before_bytes, rss_after_bytes, retained_bytes, monitored) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      crash_(database,
             "INSERT INTO blackbox_crashes (session_h, nodeid, phase, cause, signal, exit_code, "
             "worker, attempt, rss_bytes, evidence, traceback) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)") {
    // The session's hash is the same in every row: bound once.
    metrics_.bind(1, session_h_);
    metrics_.bind(2, env_h_);
    test_.bind(1, session_h_);
    crash_.bind(1, session_h_);
}

void RunWriter::remove_previous() {
    for (const char* sql : {"DELETE FROM TEST_METRICS WHERE SESSION_H = ?",
                            "DELETE FROM TEST_SESSIONS WHERE SESSION_H = ?",
                            "DELETE FROM blackbox_runs WHERE session_h = ?",
                            "DELETE FROM blackbox_tests WHERE session_h = ?",
                            "DELETE FROM blackbox_crashes WHERE session_h = ?"}) {
        SQLite::Statement statement(database_, sql);
        statement.bind(1, session_h_);
        statement.exec();
    }
}

void RunWriter::write_context(const ExecutionContextRow& row) {
    SQLite::Statement statement(
        database_,
        "INSERT OR IGNORE INTO EXECUTION_CONTEXTS (ENV_H, CPU_COUNT, CPU_FREQUENCY_MHZ, CPU_TYPE, "
        "CPU_VENDOR, RAM_TOTAL_MB, MACHINE_NODE, MACHINE_TYPE, MACHINE_ARCH, SYSTEM_INFO, "
        "PYTHON_INFO) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    statement.bind(1, row.env_h);
    statement.bind(2, row.cpu_count);
    statement.bind(3, row.cpu_frequency_mhz);
    statement.bind(4, row.cpu_type);
    statement.bind(5, row.cpu_vendor);
    statement.bind(6, row.ram_total_mb);
    statement.bind(7, row.machine_node);
    statement.bind(8, row.machine_type);
    statement.bind(9, row.machine_arch);
    statement.bind(10, row.system_info);
    statement.bind(11, row.python_info);
    statement.exec();
}

void RunWriter::write_session(const SessionRow& row) {
    SQLite::Statement statement(database_,
                                "INSERT INTO TEST_SESSIONS (SESSION_H, RUN_DATE, SCM_ID, "
                                "RUN_DESCRIPTION) VALUES (?, ?, ?, ?)");
    statement.bind(1, session_h_);
    statement.bind(2, row.run_date);
    statement.bind(3, row.scm_id);
    statement.bind(4, row.run_description);
    statement.exec();
}

void RunWriter::write_run(const postmortem::RunModel& run, const SessionRow& session,
                          const RunFacts& facts) {
    SQLite::Statement statement(
        database_,
        "INSERT INTO blackbox_runs (session_h, run_id, run_dir, env_h, started, ended, "
        "duration_s, command, status, exit_code, attempts, collected, passed, failed, skipped, "
        "xfailed, xpassed, errors, crashed, not_run, context, ingested) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    statement.bind(1, session_h_);
    statement.bind(2, session.run_id);
    statement.bind(3, base::name_text(facts.run_dir));
    statement.bind(4, env_h_);
    bind_or_null(statement, 5,
                 session.run_date.empty() ? std::nullopt : std::optional(session.run_date));
    bind_or_null(statement, 6, run.finished ? iso_text(run.ended) : std::nullopt);
    statement.bind(7, run.duration_s);
    statement.bind(8, base::json_text(nlohmann::json(run.command)));
    statement.bind(9, run.status);
    bind_or_null(statement, 10, run.blackbox_exit_code);
    statement.bind(11, run.attempts);
    const auto& counts = run.counts;
    bind_or_null(statement, 12, counts.collected);
    bind_or_null(statement, 13, counts.passed);
    bind_or_null(statement, 14, counts.failed);
    bind_or_null(statement, 15, counts.skipped);
    bind_or_null(statement, 16, counts.xfailed);
    bind_or_null(statement, 17, counts.xpassed);
    bind_or_null(statement, 18, counts.errors);
    bind_or_null(statement, 19, counts.crashed);
    bind_or_null(statement, 20, counts.not_run);
    statement.bind(21, base::json_text(run.context));
    statement.bind(22, facts.ingested);
    statement.exec();
}

void RunWriter::write_metrics(const MetricsRow& row) {
    bind_metrics_columns(metrics_, row);
    metrics_.bind(15, row.outcome);
    metrics_.bind(16, row.nodeid);
    insert(metrics_);
}

void RunWriter::write_test(const TestRow& row) {
    test_.bind(2, row.nodeid);
    test_.bind(3, row.outcome);
    bind_or_null(test_, 4, row.worker);
    test_.bind(5, row.attempt);
    bind_or_null(test_, 6, row.start);
    bind_or_null(test_, 7, row.setup_s);
    bind_or_null(test_, 8, row.call_s);
    bind_or_null(test_, 9, row.teardown_s);
    bind_or_null(test_, 10, row.total_s);
    bind_or_null(test_, 11, row.user_s);
    bind_or_null(test_, 12, row.sys_s);
    bind_or_null(test_, 13, row.peak_rss_bytes);
    test_.bind(14, row.peak_exact ? 1 : 0);
    bind_or_null(test_, 15, row.peak_tree_rss_bytes);
    bind_or_null(test_, 16, row.rss_before_bytes);
    bind_or_null(test_, 17, row.rss_after_bytes);
    bind_or_null(test_, 18, row.retained_bytes);
    test_.bind(19, row.monitored ? 1 : 0);
    insert(test_);
}

void RunWriter::write_crash(const postmortem::Crash& crash) {
    // TEXT columns hold valid UTF-8: a name in its text form, any other text with U+FFFD.
    auto name = [](const std::optional<std::string>& bytes) -> std::optional<std::string> {
        return bytes ? std::optional(base::name_text(*bytes)) : std::nullopt;
    };
    bind_or_null(crash_, 2, name(crash.nodeid));
    crash_.bind(3, crash.phase);
    crash_.bind(4, crash.cause);
    bind_or_null(crash_, 5, crash.signal);
    bind_or_null(crash_, 6, crash.exit_code);
    bind_or_null(crash_, 7, name(crash.worker));
    crash_.bind(8, crash.attempt);
    bind_or_null(crash_, 9, crash.rss_bytes);
    crash_.bind(10, base::valid_utf8(crash.evidence));
    bind_or_null(
        crash_, 11,
        crash.traceback ? std::optional(base::valid_utf8(*crash.traceback)) : std::nullopt);
    insert(crash_);
}

}  // namespace blackbox::store
