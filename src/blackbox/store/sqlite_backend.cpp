#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <algorithm>
#include <exception>
#include <span>
#include <variant>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/iso_time.hpp>
#include <blackbox/store/monitor_run.hpp>
#include <blackbox/store/reads.hpp>
#include <blackbox/store/row_binding.hpp>
#include <blackbox/store/run_writer.hpp>
#include <blackbox/store/sql.hpp>
#include <blackbox/store/sqlite_backend.hpp>

namespace blackbox::store {

namespace {

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

void remove_head(SQLite::Database& database, const std::string& session_h) {
    for (auto name : {kTestSessions, kRuns, kCrashes}) {
        SQLite::Statement statement(database, remove_run_rows_sql(sqlite_dialect(), table(name)));
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
        if (row.item_start_time) {
            statement.bind(4, *row.item_start_time);
        } else {
            statement.bind(4);
        }
        statement.exec();
        statement.reset();
    }
}

// Writes an upload's rows; the caller holds the transaction.
UploadCounts write_upload(SQLite::Database& database, const RunUpload& upload) {
    UploadCounts counts;
    RunWriter writer(database, upload.session_h, upload.env_h);
    if (upload.head) {
        remove_head(database, upload.session_h);
        writer.write_context(upload.head->context);
        writer.write_session(upload.head->session);
        writer.write_run(upload.head->run, iso_utc_ms(base::wall_ns()));
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

// The reads of reads.hpp on this connection.
class SqliteBackend::Reader final : public ReadRunner {
  public:
    explicit Reader(SQLite::Database& database) : database_(database) {}
    json rows(Read read, const std::vector<ReadParameter>& parameters) override {
        SQLite::Statement statement(database_, read_sql(read, sqlite_dialect()));
        int index = 1;
        for (const auto& parameter : parameters) {
            std::visit([&](const auto& value) { statement.bind(index++, value); }, parameter);
        }
        json rows = json::array();
        while (statement.executeStep()) {
            rows.push_back(row_json(statement));
        }
        return rows;
    }

  private:
    SQLite::Database& database_;
};

SqliteBackend::SqliteBackend(const std::filesystem::path& path)
    : database_(open_database(path)), checkpointer_(database_, path) {
    // 16 MiB of page cache, not the 64 MiB a one-off `blackbox run` ingest takes: a server runs
    // for weeks while its file grows, and its memory must stay bounded (100 MiB in all).
    database_.exec("PRAGMA cache_size = -16384");
}

std::optional<ExecutionContextRow> SqliteBackend::find_context(const std::string& env_h) {
    return locked(mutex_, [&] {
        Reader reader(database_);
        return read_context(reader, env_h);
    });
}

void SqliteBackend::add_context(const store::ExecutionContextRow& row) {
    locked(mutex_, [&] { store::RunWriter(database_, "", row.env_h).write_context(row); });
}

std::optional<SessionRow> SqliteBackend::find_session(const std::string& session_h) {
    return locked(mutex_, [&] {
        Reader reader(database_);
        return read_session(reader, session_h);
    });
}

void SqliteBackend::add_session(const SessionRow& row) {
    locked(mutex_, [&] {
        SQLite::Transaction transaction(database_, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement statement(
            database_, insert_sql(sqlite_dialect(), table(kTestSessions), Conflict::ignore));
        StatementBinder binder(statement);
        session_values(row.session_h, row, binder);
        if (statement.exec() == 1) {
            // The session as a run of ours (monitor_run.hpp); a run of that hash is kept.
            SQLite::Statement run(database_,
                                  insert_sql(sqlite_dialect(), table(kRuns), Conflict::ignore));
            StatementBinder run_binder(run);
            run_values(row.session_h, "", monitor_run_row(row), iso_utc_ms(base::wall_ns()),
                       run_binder);
            run.exec();
        }
        transaction.commit();
    });
}

bool SqliteBackend::add_metric(const MonitorMetric& metric) {
    return locked(mutex_, [&] {
        checkpointer_.restart_if_long();
        SQLite::Transaction transaction(database_, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement statement(database_, add_metric_sql(sqlite_dialect()));
        StatementBinder binder(statement);
        monitor_metric_values(metric, binder);
        if (statement.exec() != 1) {
            return false;
        }
        if (metric.row.kind == "function") {
            // Its test in the session's run (monitor_run.hpp), unless the run has it already.
            const auto test = monitor_test_row(metric);
            SQLite::Statement count(database_, count_monitor_test_sql(sqlite_dialect()));
            count.bind(1, metric.session_h);
            count.bind(2, metric.env_h);
            if (metric.row.total_time) {
                count.bind(3, *metric.row.total_time);
            } else {
                count.bind(3);
            }
            count.bind(4, test.nodeid);
            if (count.exec() == 1) {
                SQLite::Statement insert(
                    database_, insert_sql(sqlite_dialect(), table(kTests), Conflict::ignore));
                StatementBinder test_binder(insert);
                test_values(metric.session_h, test, test_binder);
                insert.exec();
            }
        }
        transaction.commit();
        return true;
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
        SQLite::Statement statement(
            database_, insert_sql(sqlite_dialect(), table(kReports), Conflict::replace));
        statement.bind(1, session_h);
        statement.bind(2, gzipped.data(), static_cast<int>(gzipped.size()));  // a blob
        statement.bind(3, iso_utc_ms(base::wall_ns()));
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
        Reader reader(database_);
        return read_runs(reader, limit);
    });
}

std::optional<json> SqliteBackend::run(const std::string& session_h) {
    return locked(mutex_, [&] {
        Reader reader(database_);
        return read_run(reader, session_h);
    });
}

json SqliteBackend::test_history(const std::string& nodeid, std::size_t limit) {
    return locked(mutex_, [&] {
        Reader reader(database_);
        return read_test_history(reader, nodeid, limit);
    });
}

}  // namespace blackbox::store
