#include <algorithm>
#include <pqxx/pqxx>
#include <unordered_map>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/store/copy_row.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/database_url.hpp>
#include <blackbox/store/iso_time.hpp>
#include <blackbox/store/monitor_run.hpp>
#include <blackbox/store/postgres_backend.hpp>
#include <blackbox/store/postgres_schema.hpp>
#include <blackbox/store/reads.hpp>
#include <blackbox/store/row_values.hpp>
#include <blackbox/store/sql.hpp>
#include <blackbox/store/tables.hpp>

namespace blackbox::store {

namespace {

using nlohmann::json;

// The statements, prepared once per connection.
struct Statement {
    std::string name, sql;
};

constexpr const char* kAddContext = "add_context";
constexpr const char* kAddSession = "add_session";
constexpr const char* kAddMetric = "add_metric";
constexpr const char* kAddMonitorRun = "add_monitor_run";
constexpr const char* kCountMonitorTest = "count_monitor_test";
constexpr const char* kAddMonitorTest = "add_monitor_test";
constexpr const char* kLockRun = "lock_run";
constexpr const char* kRemoveSession = "remove_session";
constexpr const char* kRemoveRun = "remove_run";
constexpr const char* kRemoveCrashes = "remove_crashes";
constexpr const char* kWriteSession = "write_session";
constexpr const char* kWriteRun = "write_run";
constexpr const char* kWriteCrash = "write_crash";
constexpr const char* kRunHasRows = "run_has_rows";
constexpr const char* kReplaceTests = "replace_tests";
constexpr const char* kReplaceMetrics = "replace_metrics";
constexpr const char* kPutReport = "put_report";
constexpr const char* kReport = "report";

// A chunk's rows come in by COPY, the cheapest way into PostgreSQL (JSON parameters cost it
// more than the rows' inserts): straight into blackbox_tests and TEST_METRICS when the run has
// none of their rows yet (a run's first push, the usual case), else into a table of the
// connection's own (emptied at each commit) from which they replace what the chunk wrote before.
constexpr const char* kUploadTables =
    "CREATE TEMP TABLE blackbox_upload_tests (LIKE blackbox_tests) ON COMMIT DELETE ROWS; "
    "CREATE TEMP TABLE blackbox_upload_metrics (LIKE TEST_METRICS) ON COMMIT DELETE ROWS";

std::vector<Statement> statements() {
    const auto& d = postgres_dialect();
    const auto& tests = table(kTests);
    const auto& metrics = table(kTestMetrics);
    std::vector<Statement> all{
        // A context's hash names its content: one already known is kept.
        {kAddContext, insert_sql(d, table(kExecutionContexts), Conflict::ignore)},
        {kAddSession, insert_sql(d, table(kTestSessions), Conflict::ignore)},
        {kAddMetric, add_metric_sql(d)},
        // pytest-monitor's sessions as runs of ours (monitor_run.hpp).
        {kAddMonitorRun, insert_sql(d, table(kRuns), Conflict::ignore)},
        {kCountMonitorTest, count_monitor_test_sql(d)},
        {kAddMonitorTest, insert_sql(d, tests, Conflict::ignore)},
        // Concurrent uploads of one run (two servers on one database) take turns; other runs do
        // not wait. The two-key form: a key space apart from the schema's creation lock.
        {kLockRun, "SELECT pg_advisory_xact_lock(1, hashtext($1))"},
        {kRemoveSession, remove_run_rows_sql(d, table(kTestSessions))},
        {kRemoveRun, remove_run_rows_sql(d, table(kRuns))},
        {kRemoveCrashes, remove_run_rows_sql(d, table(kCrashes))},
        // After remove_session: a session pytest-monitor's route added meanwhile is replaced.
        {kWriteSession, insert_sql(d, table(kTestSessions), Conflict::replace)},
        {kWriteRun, insert_sql(d, table(kRuns), Conflict::fail)},
        {kWriteCrash, insert_sql(d, table(kCrashes), Conflict::fail)},
        // After the run's lock: whether it has test rows, and metrics rows.
        {kRunHasRows,
         "SELECT EXISTS (SELECT 1 FROM blackbox_tests WHERE session_h = $1), EXISTS (SELECT 1 "
         "FROM TEST_METRICS WHERE SESSION_H = $1)"},
        // A node id already stored for the run is replaced, as SQLite's INSERT OR REPLACE does.
        {kReplaceTests,
         fmt::format("INSERT INTO {0} ({1}) SELECT {1} FROM "
                     "pg_temp.blackbox_upload_tests{2}",
                     tests.name, column_list(tests), d.insert_tail(tests, Conflict::replace))},
        // A metric's key within its run: its kind, node id and start (xdist workers each write a
        // row for the same module; they start at different times). The DELETE runs though
        // nothing reads its WITH, on the statement's snapshot: it does not see the rows the
        // INSERT adds.
        {kReplaceMetrics,
         fmt::format("WITH removed AS (DELETE FROM TEST_METRICS m USING "
                     "pg_temp.blackbox_upload_metrics k WHERE m.SESSION_H = k.SESSION_H AND "
                     "m.KIND = k.KIND AND m.NODEID = k.NODEID AND m.ITEM_START_TIME IS NOT "
                     "DISTINCT FROM k.ITEM_START_TIME) INSERT INTO {0} ({1}) SELECT {1} FROM "
                     "pg_temp.blackbox_upload_metrics",
                     metrics.name, column_list(metrics))},
        {kPutReport, insert_sql(d, table(kReports), Conflict::replace)},
        {kReport, "SELECT data FROM blackbox_reports WHERE session_h = $1"},
    };
    for (auto read : kReads) {
        all.push_back({std::string(read_name(read)), read_sql(read, d)});
    }
    return all;
}

// A statement's parameters: a row's values (row_values.hpp), or a read's, as text (PostgreSQL
// reads each as its column's type).
class Parameters final : public ValueSink {
  public:
    void null() override { values_.emplace_back(); }
    void integer(std::int64_t value) override { values_.emplace_back(std::to_string(value)); }
    void real(double value) override { values_.emplace_back(fmt::format("{}", value)); }
    void text(const std::string& value) override { values_.emplace_back(value); }  // copied

    // Each value, null as a null pointer; valid while this object is.
    std::vector<const char*> fields() const {
        std::vector<const char*> fields;
        for (const auto& value : values_) {
            fields.push_back(value ? value->c_str() : nullptr);
        }
        return fields;
    }

  private:
    std::vector<std::optional<std::string>> values_;
};

// Runs the prepared statement `name` with the parameters.
pqxx::result exec(pqxx::transaction_base& transaction, const std::string& name,
                  const Parameters& parameters) {
    const auto fields = parameters.fields();
    return transaction.exec_prepared(name, pqxx::prepare::make_dynamic_params(fields));
}

// PostgreSQL's type oids (pg_type.h) of the columns read back as numbers.
constexpr pqxx::oid kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701;

// A field as JSON: null, integer, real or text, as SQLite's column types give them.
json field_json(const pqxx::field& field) {
    if (field.is_null()) {
        return nullptr;
    }
    switch (field.type()) {
        case kInt8:
        case kInt2:
        case kInt4:
            return field.as<std::int64_t>();
        case kFloat4:
        case kFloat8:
            return field.as<double>();
        default:
            return field.as<std::string>();
    }
}

json row_json(const pqxx::row& row) {
    json object = json::object();
    for (const auto& field : row) {
        object[field.name()] = field_json(field);
    }
    return object;
}

json rows_json(const pqxx::result& result) {
    json rows = json::array();
    for (const auto& row : result) {
        rows.push_back(row_json(row));
    }
    return rows;
}

// The reads of reads.hpp in one transaction.
class Reader final : public ReadRunner {
  public:
    explicit Reader(pqxx::transaction_base& transaction) : transaction_(transaction) {}
    json rows(Read read, const std::vector<ReadParameter>& parameters) override {
        Parameters values;
        for (const auto& parameter : parameters) {
            std::visit([&](const auto& value) { values.put(value); }, parameter);
        }
        return rows_json(exec(transaction_, std::string(read_name(read)), values));
    }

  private:
    pqxx::transaction_base& transaction_;
};

// The chunk's tests into `table`. A node id twice in one chunk: the last wins, as with one
// INSERT OR REPLACE after the other (one statement may not update a row twice).
void copy_tests(pqxx::work& transaction, const char* table_name, const RunUpload& upload) {
    const auto& tests = upload.tests;
    std::unordered_map<std::string_view, std::size_t> last;
    last.reserve(tests.size());
    for (std::size_t i = 0; i < tests.size(); ++i) {
        last[tests[i].nodeid] = i;
    }
    pqxx::stream_to stream(transaction, table_name, column_names(table(kTests)));
    for (std::size_t i = 0; i < tests.size(); ++i) {
        if (last[tests[i].nodeid] != i) {
            continue;
        }
        CopyRow<std::size(kTestColumns)> row;
        test_values(upload.session_h, tests[i], row);
        stream << row.fields();
    }
    stream.complete();
}

// The chunk's metrics into `table`; OUTCOME and NODEID as text, as RunWriter writes them ("" for
// a scope's outcome).
void copy_metrics(pqxx::work& transaction, const char* table_name, const RunUpload& upload) {
    pqxx::stream_to stream(transaction, table_name, column_names(table(kTestMetrics)));
    for (const auto& metrics : upload.metrics) {
        CopyRow<std::size(kTestMetricsColumns)> row;
        metrics_values(upload.session_h, upload.env_h, metrics, row);
        stream << row.fields();
    }
    stream.complete();
}

void insert_context(pqxx::work& transaction, const ExecutionContextRow& row) {
    Parameters values;
    context_values(row, values);
    exec(transaction, kAddContext, values);
}

// A driver's message on one line, without the URL's password.
std::string one_line(const std::string& message, const std::string& url) {
    std::string line = without_password(message, url);
    std::replace_if(
        line.begin(), line.end(), [](char c) { return c == '\n' || c == '\t'; }, ' ');
    line.erase(
        std::unique(line.begin(), line.end(), [](char a, char b) { return a == ' ' && b == ' '; }),
        line.end());
    while (!line.empty() && line.back() == ' ') {
        line.pop_back();
    }
    return line;
}

}  // namespace

struct PostgresBackend::Connection {
    // Connects, in UTF-8 (the routes' text is), with every statement prepared.
    explicit Connection(const std::string& url) : connection(url) {
        connection.set_client_encoding("UTF8");
    }
    void prepare() {
        pqxx::nontransaction(connection).exec(kUploadTables);
        static const auto all = statements();
        for (const auto& statement : all) {
            connection.prepare(statement.name, statement.sql);
        }
    }
    pqxx::connection connection;
};

// A connection lent by the pool, given back when the lease ends unless dropped.
class PostgresBackend::Lease {
  public:
    explicit Lease(PostgresBackend& pool) : pool_(pool), connection_(pool.lend()) {}
    ~Lease() { pool_.give_back(std::move(connection_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    pqxx::connection& connection() { return connection_->connection; }
    void drop() { connection_.reset(); }

  private:
    PostgresBackend& pool_;
    std::unique_ptr<Connection> connection_;
};

std::unique_ptr<PostgresBackend::Connection> PostgresBackend::lend() {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [this] { return !idle_.empty() || open_ < kMaxConnections; });
    if (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        return connection;
    }
    ++open_;
    lock.unlock();
    try {
        auto connection = std::make_unique<Connection>(url_);
        connection->prepare();
        return connection;
    } catch (...) {
        give_back(nullptr);
        throw;
    }
}

void PostgresBackend::give_back(std::unique_ptr<Connection> connection) {
    {
        std::lock_guard lock(mutex_);
        if (connection) {
            idle_.push_back(std::move(connection));
        } else {
            --open_;
        }
    }
    returned_.notify_one();
}

void PostgresBackend::drop_idle() {
    std::vector<std::unique_ptr<Connection>> dropped;
    {
        std::lock_guard lock(mutex_);
        dropped.swap(idle_);
        open_ -= dropped.size();
    }
    returned_.notify_all();
}  // closed here, outside the lock

template <typename Body>
auto PostgresBackend::with_connection(Body body) {
    try {
        for (int attempt = 1;; ++attempt) {
            Lease lease(*this);
            try {
                return body(lease.connection());
            } catch (const pqxx::broken_connection&) {
                // The server ended the connection (a restart, an idle timeout) before a commit
                // was asked for (that is in_doubt_error), so nothing was written: the request
                // again, once, on a new connection.
                lease.drop();
                drop_idle();
                if (attempt == 2) {
                    throw;
                }
            } catch (const pqxx::in_doubt_error&) {
                lease.drop();
                throw;
            }
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& failure) {
        throw Error(fmt::format("metrics database: {}", one_line(failure.what(), url_)),
                    kDatabaseError);
    }
}

PostgresBackend::PostgresBackend(const std::string& url) : url_(url) {
    const std::string name = redacted_url(url);
    try {
        auto connection = std::make_unique<Connection>(url);
        migrate_postgres(connection->connection, name);
        connection->prepare();
        open_ = 1;
        idle_.push_back(std::move(connection));
    } catch (const Error&) {
        throw;
    } catch (const std::exception& failure) {
        throw Error(fmt::format("cannot open the PostgreSQL database {}: {}", name,
                                one_line(failure.what(), url)),
                    kDatabaseError);
    }
}

PostgresBackend::~PostgresBackend() = default;

std::optional<ExecutionContextRow> PostgresBackend::find_context(const std::string& env_h) {
    return with_connection([&](pqxx::connection& connection) {
        pqxx::read_transaction transaction(connection);
        Reader reader(transaction);
        return read_context(reader, env_h);
    });
}

void PostgresBackend::add_context(const store::ExecutionContextRow& row) {
    with_connection([&](pqxx::connection& connection) {
        pqxx::work transaction(connection);
        insert_context(transaction, row);
        transaction.commit();
    });
}

std::optional<SessionRow> PostgresBackend::find_session(const std::string& session_h) {
    return with_connection([&](pqxx::connection& connection) {
        pqxx::read_transaction transaction(connection);
        Reader reader(transaction);
        return read_session(reader, session_h);
    });
}

void PostgresBackend::add_session(const SessionRow& row) {
    with_connection([&](pqxx::connection& connection) {
        pqxx::work transaction(connection);
        Parameters values;
        session_values(row.session_h, row, values);
        if (exec(transaction, kAddSession, values).affected_rows() == 1) {
            // The session as a run of ours; a run of that hash is kept.
            Parameters run;
            run_values(row.session_h, "", monitor_run_row(row), iso_utc_ms(base::wall_ns()), run);
            exec(transaction, kAddMonitorRun, run);
        }
        transaction.commit();
    });
}

bool PostgresBackend::add_metric(const MonitorMetric& metric) {
    return with_connection([&](pqxx::connection& connection) {
        pqxx::work transaction(connection);
        Parameters values;
        monitor_metric_values(metric, values);
        if (exec(transaction, kAddMetric, values).affected_rows() != 1) {
            return false;
        }
        if (metric.row.kind == "function") {
            // Its test in the session's run, unless the run has it already.
            const auto test = monitor_test_row(metric);
            Parameters count;
            count.put(metric.session_h);
            count.put(metric.env_h);
            count.put(metric.row.total_time);
            count.put(test.nodeid);
            if (exec(transaction, kCountMonitorTest, count).affected_rows() == 1) {
                Parameters row;
                test_values(metric.session_h, test, row);
                exec(transaction, kAddMonitorTest, row);
            }
        }
        transaction.commit();
        return true;
    });
}

UploadCounts PostgresBackend::ingest(const RunUpload& upload) {
    return with_connection([&](pqxx::connection& connection) {
        UploadCounts counts;
        const auto& session_h = upload.session_h;
        pqxx::work transaction(connection);
        transaction.exec_prepared(kLockRun, session_h);
        if (upload.head) {
            const auto& head = *upload.head;
            for (const auto* statement : {kRemoveSession, kRemoveRun, kRemoveCrashes}) {
                transaction.exec_prepared(statement, session_h);
            }
            insert_context(transaction, head.context);
            Parameters session;
            session_values(session_h, head.session, session);
            exec(transaction, kWriteSession, session);
            // `ingested` as SQLite's server writes it: UTC, milliseconds.
            Parameters run;
            run_values(session_h, upload.env_h, head.run, iso_utc_ms(base::wall_ns()), run);
            exec(transaction, kWriteRun, run);
            for (const auto& crash : head.crashes) {
                Parameters values;
                crash_values(session_h, crash, values);
                exec(transaction, kWriteCrash, values);
            }
            counts.crashes = head.crashes.size();
        }
        if (!upload.tests.empty() || !upload.metrics.empty()) {
            const auto has = transaction.exec_prepared(kRunHasRows, session_h)[0];
            if (!upload.tests.empty()) {
                const bool replacing = has[0].as<bool>();
                copy_tests(transaction,
                           replacing ? "pg_temp.blackbox_upload_tests" : "blackbox_tests", upload);
                if (replacing) {
                    transaction.exec_prepared(kReplaceTests);
                }
            }
            if (!upload.metrics.empty()) {
                const bool replacing = has[1].as<bool>();
                copy_metrics(transaction,
                             replacing ? "pg_temp.blackbox_upload_metrics" : "TEST_METRICS",
                             upload);
                if (replacing) {
                    transaction.exec_prepared(kReplaceMetrics);
                }
            }
        }
        counts.tests = upload.tests.size();
        counts.metrics = upload.metrics.size();
        transaction.commit();
        return counts;
    });
}

void PostgresBackend::put_report(const std::string& session_h, const std::string& gzipped) {
    with_connection([&](pqxx::connection& connection) {
        pqxx::work transaction(connection);
        transaction.exec_prepared(kPutReport, session_h, pqxx::binarystring(gzipped),
                                  iso_utc_ms(base::wall_ns()));
        transaction.commit();
    });
}

std::optional<std::string> PostgresBackend::report(const std::string& session_h) {
    return with_connection([&](pqxx::connection& connection) -> std::optional<std::string> {
        pqxx::read_transaction transaction(connection);
        const auto result = transaction.exec_prepared(kReport, session_h);
        if (result.empty()) {
            return std::nullopt;
        }
        return pqxx::binarystring(result[0][0]).str();
    });
}

json PostgresBackend::runs(std::size_t limit) {
    return with_connection([&](pqxx::connection& connection) {
        pqxx::read_transaction transaction(connection);
        Reader reader(transaction);
        return read_runs(reader, limit);
    });
}

std::optional<json> PostgresBackend::run(const std::string& session_h) {
    return with_connection([&](pqxx::connection& connection) {
        pqxx::read_transaction transaction(connection);
        Reader reader(transaction);
        return read_run(reader, session_h);
    });
}

json PostgresBackend::test_history(const std::string& nodeid, std::size_t limit) {
    return with_connection([&](pqxx::connection& connection) {
        pqxx::read_transaction transaction(connection);
        Reader reader(transaction);
        return read_test_history(reader, nodeid, limit);
    });
}

}  // namespace blackbox::store
