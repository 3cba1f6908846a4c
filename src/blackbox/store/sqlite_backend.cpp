#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <algorithm>
#include <exception>
#include <span>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/row_binding.hpp>
#include <blackbox/store/run_writer.hpp>
#include <blackbox/store/sqlite_backend.hpp>

namespace blackbox::store {

namespace {

using store::bind_or_null;

using nlohmann::json;

// Runs `body` under the connection's lock, turning SQLite's failures into blackbox::Error.
template <typename Body>
auto locked(std::mutex& mutex, Body body) {
    std::lock_guard lock(mutex);
    try {
        return body();
    } catch (const SQLite::Exception& failure) {
        throw Error(fmt::format("metrics database: {}", failure.what()), kDatabaseError);
    }
}

// A column as JSON: null, integer, real or text.
json column_json(const SQLite::Column& column) {
    if (column.isNull()) {
        return nullptr;
    }
    if (column.isInteger()) {
        return column.getInt64();
    }
    if (column.isFloat()) {
        return column.getDouble();
    }
    return column.getString();
}

// The current row of `statement` as an object keyed by its column names.
json row_json(SQLite::Statement& statement) {
    json row = json::object();
    for (int i = 0; i < statement.getColumnCount(); ++i) {
        row[statement.getColumnName(i)] = column_json(statement.getColumn(i));
    }
    return row;
}

json all_rows(SQLite::Statement& statement) {
    json rows = json::array();
    while (statement.executeStep()) {
        rows.push_back(row_json(statement));
    }
    return rows;
}

// A JSON column's value, or its text when it is not JSON.
json parsed(const json& text) {
    if (!text.is_string()) {
        return text;
    }
    json value = json::parse(text.get<std::string>(), nullptr, false);
    return value.is_discarded() ? text : value;
}

void insert_run(SQLite::Database& database, const RunUpload& upload, const RunRow& run) {
    SQLite::Statement statement(
        database,
        "INSERT INTO blackbox_runs (session_h, run_id, run_dir, env_h, started, ended, "
        "duration_s, command, status, exit_code, attempts, collected, passed, failed, skipped, "
        "xfailed, xpassed, errors, crashed, not_run, context, ingested) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "strftime('%Y-%m-%dT%H:%M:%f', 'now'))");
    statement.bind(1, upload.session_h);
    statement.bind(2, run.run_id);
    statement.bind(3, run.run_dir);
    statement.bind(4, upload.env_h);
    bind_or_null(statement, 5, run.started);
    bind_or_null(statement, 6, run.ended);
    statement.bind(7, run.duration_s);
    statement.bind(8, run.command);
    statement.bind(9, run.status);
    bind_or_null(statement, 10, run.exit_code);
    statement.bind(11, run.attempts);
    int index = 12;
    for (auto count : {run.collected, run.passed, run.failed, run.skipped, run.xfailed, run.xpassed,
                       run.errors, run.crashed, run.not_run}) {
        statement.bind(index++, count);
    }
    statement.bind(21, run.context);
    statement.exec();
}

void remove_head(SQLite::Database& database, const std::string& session_h) {
    for (const char* sql : {"DELETE FROM TEST_SESSIONS WHERE SESSION_H = ?",
                            "DELETE FROM blackbox_runs WHERE session_h = ?",
                            "DELETE FROM blackbox_crashes WHERE session_h = ?"}) {
        SQLite::Statement statement(database, sql);
        statement.bind(1, session_h);
        statement.exec();
    }
}

// Whether the run has TEST_METRICS rows already (the first push of a run has none: its chunks
// then replace nothing, and need no search for each row's key).
bool has_metrics(SQLite::Database& database, const std::string& session_h) {
    SQLite::Statement statement(database, "SELECT 1 FROM TEST_METRICS WHERE SESSION_H = ? LIMIT 1");
    statement.bind(1, session_h);
    return statement.executeStep();
}

// A TEST_METRICS row's key within its run: its kind, node id and start (xdist workers each
// write a row for the same module; they start at different times).
void remove_metrics(SQLite::Database& database, const RunUpload& upload) {
    if (upload.metrics.empty() || !has_metrics(database, upload.session_h)) {
        return;
    }
    SQLite::Statement statement(database,
                                "DELETE FROM TEST_METRICS WHERE SESSION_H = ? AND KIND = ? AND "
                                "NODEID = ? AND ITEM_START_TIME IS ?");
    statement.bind(1, upload.session_h);
    for (const auto& row : upload.metrics) {
        statement.bind(2, row.kind);
        statement.bind(3, row.nodeid);
        bind_or_null(statement, 4, row.item_start_time);
        statement.exec();
        statement.reset();
    }
}

// Writes an upload's rows; the caller holds the transaction.
UploadCounts write_upload(SQLite::Database& database, const RunUpload& upload) {
    UploadCounts counts;
    store::RunWriter writer(database, upload.session_h, upload.env_h);
    if (upload.head) {
        remove_head(database, upload.session_h);
        writer.write_context(upload.head->context);
        writer.write_session(upload.head->session);
        insert_run(database, upload, upload.head->run);
        for (const auto& crash : upload.head->crashes) {
            writer.write_crash(crash);
        }
        counts.crashes = upload.head->crashes.size();
    }
    for (const auto& test : upload.tests) {
        writer.write_test(test);  // INSERT OR REPLACE on (session_h, nodeid)
    }
    remove_metrics(database, upload);
    for (const auto& row : upload.metrics) {
        writer.write_metrics(row);
    }
    counts.tests = upload.tests.size();
    counts.metrics = upload.metrics.size();
    return counts;
}

// SQLite's failures as blackbox::Error, as locked() turns them; any other failure as it is.
std::exception_ptr database_error(std::exception_ptr failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const SQLite::Exception& error) {
        return std::make_exception_ptr(
            Error(fmt::format("metrics database: {}", error.what()), kDatabaseError));
    } catch (...) {
        return std::current_exception();
    }
}

}  // namespace

SqliteBackend::SqliteBackend(const std::filesystem::path& path)
    : database_(open_database(path)), checkpointer_(database_, path) {
    // 16 MiB of page cache, not the 64 MiB a one-off `blackbox run` ingest takes: a server runs
    // for weeks while its file grows, and its memory must stay bounded (100 MiB in all).
    database_.exec("PRAGMA cache_size = -16384");
}

std::optional<store::ExecutionContextRow> SqliteBackend::find_context(const std::string& env_h) {
    return locked(mutex_, [&]() -> std::optional<store::ExecutionContextRow> {
        SQLite::Statement statement(
            database_,
            "SELECT ENV_H, CPU_COUNT, CPU_FREQUENCY_MHZ, CPU_TYPE, CPU_VENDOR, RAM_TOTAL_MB, "
            "MACHINE_NODE, MACHINE_TYPE, MACHINE_ARCH, SYSTEM_INFO, PYTHON_INFO "
            "FROM EXECUTION_CONTEXTS WHERE ENV_H = ?");
        statement.bind(1, env_h);
        if (!statement.executeStep()) {
            return std::nullopt;
        }
        store::ExecutionContextRow row;
        row.env_h = statement.getColumn(0).getString();
        row.cpu_count = statement.getColumn(1).getInt64();
        row.cpu_frequency_mhz = statement.getColumn(2).getInt64();
        row.cpu_type = statement.getColumn(3).getString();
        row.cpu_vendor = statement.getColumn(4).getString();
        row.ram_total_mb = statement.getColumn(5).getInt64();
        row.machine_node = statement.getColumn(6).getString();
        row.machine_type = statement.getColumn(7).getString();
        row.machine_arch = statement.getColumn(8).getString();
        row.system_info = statement.getColumn(9).getString();
        row.python_info = statement.getColumn(10).getString();
        return row;
    });
}

void SqliteBackend::add_context(const store::ExecutionContextRow& row) {
    locked(mutex_, [&] { store::RunWriter(database_, "", row.env_h).write_context(row); });
}

std::optional<store::SessionRow> SqliteBackend::find_session(const std::string& session_h) {
    return locked(mutex_, [&]() -> std::optional<store::SessionRow> {
        SQLite::Statement statement(
            database_,
            "SELECT s.SESSION_H, s.RUN_DATE, s.SCM_ID, s.RUN_DESCRIPTION, r.run_id "
            "FROM TEST_SESSIONS s LEFT JOIN blackbox_runs r ON r.session_h = s.SESSION_H "
            "WHERE s.SESSION_H = ?");
        statement.bind(1, session_h);
        if (!statement.executeStep()) {
            return std::nullopt;
        }
        store::SessionRow row;
        row.session_h = statement.getColumn(0).getString();
        row.run_date = statement.getColumn(1).getString();
        row.scm_id = statement.getColumn(2).getString();
        row.run_description = statement.getColumn(3).getString();
        row.run_id = statement.getColumn(4).getString();
        return row;
    });
}

void SqliteBackend::add_session(const store::SessionRow& row) {
    locked(mutex_, [&] {
        SQLite::Statement statement(database_,
                                    "INSERT OR IGNORE INTO TEST_SESSIONS (SESSION_H, RUN_DATE, "
                                    "SCM_ID, RUN_DESCRIPTION) VALUES (?, ?, ?, ?)");
        statement.bind(1, row.session_h);
        statement.bind(2, row.run_date);
        statement.bind(3, row.scm_id);
        statement.bind(4, row.run_description);
        statement.exec();
    });
}

bool SqliteBackend::add_metric(const MonitorMetric& metric) {
    return locked(mutex_, [&] {
        checkpointer_.restart_if_long();
        // One statement: the check and the insert see the same snapshot.
        SQLite::Statement statement(
            database_,
            "INSERT INTO TEST_METRICS (SESSION_H, ENV_H, ITEM_START_TIME, ITEM_PATH, ITEM, "
            "ITEM_VARIANT, ITEM_FS_LOC, KIND, COMPONENT, TOTAL_TIME, USER_TIME, KERNEL_TIME, "
            "CPU_USAGE, MEM_USAGE, OUTCOME, NODEID) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
            "?10, ?11, ?12, ?13, ?14, ?15, NULL WHERE EXISTS (SELECT 1 FROM TEST_SESSIONS WHERE "
            "SESSION_H = ?1) AND EXISTS (SELECT 1 FROM EXECUTION_CONTEXTS WHERE ENV_H = ?2)");
        const auto& row = metric.row;
        statement.bind(1, metric.session_h);
        statement.bind(2, metric.env_h);
        store::bind_metrics_columns(statement, row);
        if (row.outcome.empty()) {
            statement.bind(15);
        } else {
            statement.bind(15, row.outcome);
        }
        return statement.exec() == 1;
    });
}

// What an upload waits for: its counts, or why it was not written.
struct SqliteBackend::QueuedUpload {
    const RunUpload& upload;
    bool written = false;  // under mutex_
    UploadCounts counts;
    std::exception_ptr failure;
};

UploadCounts SqliteBackend::ingest(const RunUpload& upload) {
    QueuedUpload queued{upload, false, {}, nullptr};
    {
        std::lock_guard lock(queue_mutex_);
        queue_.push_back(&queued);
    }
    {
        // Whoever holds the connection next writes every queued upload, this one included
        // unless an earlier holder took it already.
        std::lock_guard lock(mutex_);
        if (!queued.written) {
            write_queued();
        }
    }
    if (queued.failure) {
        std::rethrow_exception(queued.failure);
    }
    return queued.counts;
}

void SqliteBackend::write_queued() {
    std::vector<QueuedUpload*> batch;
    {
        std::lock_guard lock(queue_mutex_);
        batch.swap(queue_);
    }
    checkpointer_.restart_if_long();
    // All in one transaction. Not one savepoint each: a savepoint copies every page an upload
    // changes into a sub-journal, and a chunk's test rows change a page of each history index
    // per test, which cost more than the rows themselves. A failure is rare (a full disk, a
    // trigger): then the batch is rolled back and each upload written alone.
    const auto write_together = [this](std::span<QueuedUpload* const> uploads) {
        SQLite::Transaction transaction(database_, SQLite::TransactionBehavior::IMMEDIATE);
        for (auto* queued : uploads) {
            queued->counts = write_upload(database_, queued->upload);
        }
        transaction.commit();
    };
    try {
        write_together(batch);
    } catch (...) {
        if (batch.size() == 1) {
            batch.front()->failure = database_error(std::current_exception());
        } else {
            for (auto* queued : batch) {
                try {
                    write_together({&queued, 1});
                } catch (...) {
                    queued->failure = database_error(std::current_exception());
                }
            }
        }
    }
    for (auto* queued : batch) {
        queued->written = true;
    }
}

void SqliteBackend::put_report(const std::string& session_h, const std::string& gzipped) {
    locked(mutex_, [&] {
        SQLite::Statement statement(database_,
                                    "INSERT OR REPLACE INTO blackbox_reports (session_h, data, "
                                    "stored) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%f', 'now'))");
        statement.bind(1, session_h);
        statement.bind(2, gzipped.data(), static_cast<int>(gzipped.size()));  // a blob
        statement.exec();
    });
}

std::optional<std::string> SqliteBackend::report(const std::string& session_h) {
    return locked(mutex_, [&]() -> std::optional<std::string> {
        SQLite::Statement statement(database_,
                                    "SELECT data FROM blackbox_reports WHERE session_h = ?");
        statement.bind(1, session_h);
        if (!statement.executeStep()) {
            return std::nullopt;
        }
        const auto data = statement.getColumn(0);
        return std::string(static_cast<const char*>(data.getBlob()),
                           static_cast<std::size_t>(data.getBytes()));
    });
}

json SqliteBackend::runs(std::size_t limit) {
    return locked(mutex_, [&] {
        SQLite::Statement statement(
            database_,
            "SELECT r.session_h, r.run_id, r.started, r.ended, r.duration_s, r.status, "
            "r.exit_code, r.attempts, r.collected, r.passed, r.failed, r.skipped, r.errors, "
            "r.crashed, r.not_run, s.SCM_ID AS scm_id, CASE WHEN json_valid(r.context) THEN "
            "json_extract(r.context, '$.git.branch') END AS branch, e.MACHINE_NODE AS machine "
            "FROM blackbox_runs r LEFT JOIN TEST_SESSIONS s ON s.SESSION_H = r.session_h "
            "LEFT JOIN EXECUTION_CONTEXTS e ON e.ENV_H = r.env_h "
            "ORDER BY r.started DESC, r.rowid DESC LIMIT ?");
        statement.bind(1, static_cast<std::int64_t>(limit));
        return all_rows(statement);
    });
}

std::optional<json> SqliteBackend::run(const std::string& session_h) {
    return locked(mutex_, [&]() -> std::optional<json> {
        SQLite::Statement head(
            database_,
            "SELECT r.session_h, r.run_id, r.run_dir, r.env_h, r.started, r.ended, r.duration_s, "
            "r.command, r.status, r.exit_code, r.attempts, r.collected, r.passed, r.failed, "
            "r.skipped, r.xfailed, r.xpassed, r.errors, r.crashed, r.not_run, r.context, "
            "r.ingested, s.SCM_ID AS scm_id, s.RUN_DESCRIPTION AS description FROM blackbox_runs "
            "r LEFT JOIN TEST_SESSIONS s ON s.SESSION_H = r.session_h WHERE r.session_h = ?");
        head.bind(1, session_h);
        if (!head.executeStep()) {
            return std::nullopt;
        }
        json run = row_json(head);
        for (const char* key : {"command", "context", "description"}) {
            run[key] = parsed(run[key]);
        }
        SQLite::Statement tests(
            database_,
            "SELECT nodeid, outcome, worker, attempt, start, setup_s, call_s, teardown_s, "
            "total_s, user_s, sys_s, peak_rss_bytes, peak_exact, retained_bytes FROM "
            "blackbox_tests WHERE session_h = ? ORDER BY start, nodeid");
        tests.bind(1, session_h);
        run["tests"] = all_rows(tests);
        SQLite::Statement crashes(
            database_,
            "SELECT nodeid, phase, cause, signal, exit_code, worker, attempt, rss_bytes, "
            "evidence, traceback FROM blackbox_crashes WHERE session_h = ? ORDER BY rowid");
        crashes.bind(1, session_h);
        run["crashes"] = all_rows(crashes);
        SQLite::Statement report(database_, "SELECT 1 FROM blackbox_reports WHERE session_h = ?");
        report.bind(1, session_h);
        run["report"] = report.executeStep();
        return run;
    });
}

// The runs from the newest (their index on started), the test looked up in each by its primary
// key: CROSS JOIN keeps that order (no index leads from a node id to its runs: schema.cpp).
json SqliteBackend::test_history(const std::string& nodeid, std::size_t limit) {
    return locked(mutex_, [&] {
        SQLite::Statement statement(
            database_,
            "SELECT t.session_h, r.run_id, r.started, s.SCM_ID AS scm_id, CASE WHEN "
            "json_valid(r.context) THEN json_extract(r.context, '$.git.branch') END AS branch, "
            "e.MACHINE_NODE AS machine, t.outcome, t.call_s, t.total_s, t.peak_rss_bytes, "
            "t.retained_bytes FROM blackbox_runs r CROSS JOIN blackbox_tests t ON t.session_h = "
            "r.session_h AND t.nodeid = ? LEFT JOIN TEST_SESSIONS s ON s.SESSION_H = "
            "t.session_h LEFT JOIN EXECUTION_CONTEXTS e ON e.ENV_H = r.env_h "
            "ORDER BY r.started DESC, r.rowid DESC LIMIT ?");  // ties: the later upload first
        statement.bind(1, nodeid);
        statement.bind(2, static_cast<std::int64_t>(limit));
        json rows = all_rows(statement);
        std::reverse(rows.begin(), rows.end());
        return rows;
    });
}

}  // namespace blackbox::store
