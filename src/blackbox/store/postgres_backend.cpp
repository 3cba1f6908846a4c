#include <algorithm>
#include <pqxx/pqxx>
#include <unordered_map>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/store/copy_row.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/database_url.hpp>
#include <blackbox/store/postgres_backend.hpp>
#include <blackbox/store/postgres_schema.hpp>

namespace blackbox::store {

namespace {

using nlohmann::json;

// The statements, prepared once per connection. Text is sorted with COLLATE "C": byte order,
// as SQLite's BINARY, whatever the database's locale.
struct Statement {
    const char* name;
    const char* sql;
};

constexpr Statement kFindContext{
    "find_context",
    "SELECT ENV_H, CPU_COUNT, CPU_FREQUENCY_MHZ, CPU_TYPE, CPU_VENDOR, RAM_TOTAL_MB, "
    "MACHINE_NODE, MACHINE_TYPE, MACHINE_ARCH, SYSTEM_INFO, PYTHON_INFO "
    "FROM EXECUTION_CONTEXTS WHERE ENV_H = $1"};

// A context's hash names its content: one already known is kept.
constexpr Statement kAddContext{
    "add_context",
    "INSERT INTO EXECUTION_CONTEXTS (ENV_H, CPU_COUNT, CPU_FREQUENCY_MHZ, CPU_TYPE, "
    "CPU_VENDOR, RAM_TOTAL_MB, MACHINE_NODE, MACHINE_TYPE, MACHINE_ARCH, SYSTEM_INFO, "
    "PYTHON_INFO) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
    "ON CONFLICT (ENV_H) DO NOTHING"};

constexpr Statement kFindSession{
    "find_session",
    "SELECT s.SESSION_H, s.RUN_DATE, s.SCM_ID, s.RUN_DESCRIPTION, r.run_id "
    "FROM TEST_SESSIONS s LEFT JOIN blackbox_runs r ON r.session_h = s.SESSION_H "
    "WHERE s.SESSION_H = $1"};

constexpr Statement kAddSession{
    "add_session",
    "INSERT INTO TEST_SESSIONS (SESSION_H, RUN_DATE, SCM_ID, RUN_DESCRIPTION) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (SESSION_H) DO NOTHING"};

// One statement: the check and the insert see the same snapshot. The casts name the
// parameters' types (a SELECT's list does not give them).
constexpr Statement kAddMetric{
    "add_metric",
    "INSERT INTO TEST_METRICS (SESSION_H, ENV_H, ITEM_START_TIME, ITEM_PATH, ITEM, "
    "ITEM_VARIANT, ITEM_FS_LOC, KIND, COMPONENT, TOTAL_TIME, USER_TIME, KERNEL_TIME, "
    "CPU_USAGE, MEM_USAGE, OUTCOME, NODEID) SELECT $1::text, $2::text, $3::text, $4::text, "
    "$5::text, $6::text, $7::text, $8::text, $9::text, $10::double precision, "
    "$11::double precision, $12::double precision, $13::double precision, "
    "$14::double precision, $15::text, NULL WHERE EXISTS (SELECT 1 FROM TEST_SESSIONS WHERE "
    "SESSION_H = $1::text) AND EXISTS (SELECT 1 FROM EXECUTION_CONTEXTS WHERE ENV_H = $2::text)"};

// Concurrent uploads of one run (two servers on one database) take turns; other runs do not
// wait. The two-key form: a key space apart from the schema's creation lock.
constexpr Statement kLockRun{"lock_run", "SELECT pg_advisory_xact_lock(1, hashtext($1))"};

constexpr Statement kRemoveSession{"remove_session",
                                   "DELETE FROM TEST_SESSIONS WHERE SESSION_H = $1"};
constexpr Statement kRemoveRun{"remove_run", "DELETE FROM blackbox_runs WHERE session_h = $1"};
constexpr Statement kRemoveCrashes{"remove_crashes",
                                   "DELETE FROM blackbox_crashes WHERE session_h = $1"};

// After remove_session: a session pytest-monitor's route added meanwhile is replaced.
constexpr Statement kWriteSession{
    "write_session",
    "INSERT INTO TEST_SESSIONS (SESSION_H, RUN_DATE, SCM_ID, RUN_DESCRIPTION) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (SESSION_H) DO UPDATE SET RUN_DATE = "
    "EXCLUDED.RUN_DATE, SCM_ID = EXCLUDED.SCM_ID, RUN_DESCRIPTION = EXCLUDED.RUN_DESCRIPTION"};

// `ingested` as SQLite's strftime('%Y-%m-%dT%H:%M:%f', 'now') writes it: UTC, milliseconds.
constexpr Statement kWriteRun{
    "write_run",
    "INSERT INTO blackbox_runs (session_h, run_id, run_dir, env_h, started, ended, "
    "duration_s, command, status, exit_code, attempts, collected, passed, failed, skipped, "
    "xfailed, xpassed, errors, crashed, not_run, context, ingested) VALUES ($1, $2, $3, $4, $5, "
    "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, "
    "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS'))"};

constexpr Statement kWriteCrash{
    "write_crash",
    "INSERT INTO blackbox_crashes (session_h, nodeid, phase, cause, signal, exit_code, worker, "
    "attempt, rss_bytes, evidence, traceback) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
    "$11)"};

// A chunk's rows come in by COPY, the cheapest way into PostgreSQL (JSON parameters cost it
// more than the rows' inserts): straight into blackbox_tests and TEST_METRICS when the run has
// none of their rows yet (a run's first push, the usual case), else into a table of the
// connection's own (emptied at each commit) from which they replace what the chunk wrote before.
constexpr std::array<const char*, 19> kTestsColumns{
    "session_h",        "nodeid",          "outcome",
    "worker",           "attempt",         "start",
    "setup_s",          "call_s",          "teardown_s",
    "total_s",          "user_s",          "sys_s",
    "peak_rss_bytes",   "peak_exact",      "peak_tree_rss_bytes",
    "rss_before_bytes", "rss_after_bytes", "retained_bytes",
    "monitored"};
constexpr std::array<const char*, 16> kMetricsColumns{
    "SESSION_H",   "ENV_H",     "ITEM_START_TIME", "ITEM_PATH",  "ITEM",      "ITEM_VARIANT",
    "ITEM_FS_LOC", "KIND",      "COMPONENT",       "TOTAL_TIME", "USER_TIME", "KERNEL_TIME",
    "CPU_USAGE",   "MEM_USAGE", "OUTCOME",         "NODEID"};
constexpr const char* kUploadTables =
    "CREATE TEMP TABLE blackbox_upload_tests (LIKE blackbox_tests) ON COMMIT DELETE ROWS; "
    "CREATE TEMP TABLE blackbox_upload_metrics (LIKE TEST_METRICS) ON COMMIT DELETE ROWS";

// After the run's lock: whether it has test rows, and metrics rows.
constexpr Statement kRunHasRows{
    "run_has_rows",
    "SELECT EXISTS (SELECT 1 FROM blackbox_tests WHERE session_h = $1), EXISTS (SELECT 1 FROM "
    "TEST_METRICS WHERE SESSION_H = $1)"};

// A node id already stored for the run is replaced, as SQLite's INSERT OR REPLACE does.
constexpr Statement kReplaceTests{
    "replace_tests",
    "INSERT INTO blackbox_tests SELECT * FROM pg_temp.blackbox_upload_tests "
    "ON CONFLICT (session_h, nodeid) DO UPDATE SET outcome = EXCLUDED.outcome, worker = "
    "EXCLUDED.worker, attempt = EXCLUDED.attempt, start = EXCLUDED.start, setup_s = "
    "EXCLUDED.setup_s, call_s = EXCLUDED.call_s, teardown_s = EXCLUDED.teardown_s, total_s = "
    "EXCLUDED.total_s, user_s = EXCLUDED.user_s, sys_s = EXCLUDED.sys_s, peak_rss_bytes = "
    "EXCLUDED.peak_rss_bytes, peak_exact = EXCLUDED.peak_exact, peak_tree_rss_bytes = "
    "EXCLUDED.peak_tree_rss_bytes, rss_before_bytes = EXCLUDED.rss_before_bytes, "
    "rss_after_bytes = EXCLUDED.rss_after_bytes, retained_bytes = EXCLUDED.retained_bytes, "
    "monitored = EXCLUDED.monitored"};

// A metric's key within its run: its kind, node id and start (xdist workers each write a row
// for the same module; they start at different times). The DELETE runs though nothing reads
// its WITH, on the statement's snapshot: it does not see the rows the INSERT adds.
constexpr Statement kReplaceMetrics{
    "replace_metrics",
    "WITH removed AS (DELETE FROM TEST_METRICS m USING pg_temp.blackbox_upload_metrics k WHERE "
    "m.SESSION_H = k.SESSION_H AND m.KIND = k.KIND AND m.NODEID = k.NODEID AND "
    "m.ITEM_START_TIME IS NOT DISTINCT FROM k.ITEM_START_TIME) "
    "INSERT INTO TEST_METRICS SELECT * FROM pg_temp.blackbox_upload_metrics"};

// The dashboard's reads. `branch` is selected as the run's context, and taken out of it by
// git_branch() (PostgreSQL's JSON operators would fail on text that is not JSON; SQLite's
// json_valid() makes it NULL).
constexpr Statement kRuns{
    "runs",
    "SELECT r.session_h, r.run_id, r.started, r.ended, r.duration_s, r.status, r.exit_code, "
    "r.attempts, r.collected, r.passed, r.failed, r.skipped, r.errors, r.crashed, r.not_run, "
    "s.SCM_ID AS scm_id, r.context AS branch, e.MACHINE_NODE AS machine FROM blackbox_runs r "
    "LEFT JOIN TEST_SESSIONS s ON s.SESSION_H = r.session_h LEFT JOIN EXECUTION_CONTEXTS e ON "
    "e.ENV_H = r.env_h ORDER BY r.started COLLATE \"C\" DESC NULLS LAST, r.rowid DESC "
    "LIMIT $1"};

constexpr Statement kRunHead{
    "run_head",
    "SELECT r.session_h, r.run_id, r.run_dir, r.env_h, r.started, r.ended, r.duration_s, "
    "r.command, r.status, r.exit_code, r.attempts, r.collected, r.passed, r.failed, r.skipped, "
    "r.xfailed, r.xpassed, r.errors, r.crashed, r.not_run, r.context, r.ingested, s.SCM_ID AS "
    "scm_id, s.RUN_DESCRIPTION AS description FROM blackbox_runs r LEFT JOIN TEST_SESSIONS s "
    "ON s.SESSION_H = r.session_h WHERE r.session_h = $1"};

// SQLite sorts NULL first in ascending order.
constexpr Statement kRunTests{
    "run_tests",
    "SELECT nodeid, outcome, worker, attempt, start, setup_s, call_s, teardown_s, total_s, "
    "user_s, sys_s, peak_rss_bytes, peak_exact, retained_bytes FROM blackbox_tests WHERE "
    "session_h = $1 ORDER BY start COLLATE \"C\" NULLS FIRST, nodeid COLLATE \"C\""};

constexpr Statement kRunCrashes{
    "run_crashes",
    "SELECT nodeid, phase, cause, signal, exit_code, worker, attempt, rss_bytes, evidence, "
    "traceback FROM blackbox_crashes WHERE session_h = $1 ORDER BY rowid"};

constexpr Statement kHistory{
    "history",
    "SELECT t.session_h, r.run_id, r.started, s.SCM_ID AS scm_id, r.context AS branch, "
    "e.MACHINE_NODE AS machine, t.outcome, t.call_s, t.total_s, t.peak_rss_bytes, "
    "t.retained_bytes FROM blackbox_runs r JOIN blackbox_tests t ON t.session_h = r.session_h "
    "AND t.nodeid = $1 LEFT JOIN TEST_SESSIONS s ON s.SESSION_H = t.session_h LEFT JOIN "
    "EXECUTION_CONTEXTS e ON e.ENV_H = r.env_h ORDER BY r.started COLLATE \"C\" DESC NULLS "
    "LAST, r.rowid DESC LIMIT $2"};

constexpr Statement kPutReport{
    "put_report",
    "INSERT INTO blackbox_reports (session_h, data, stored) VALUES ($1, $2, to_char(now() AT "
    "TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS')) ON CONFLICT (session_h) DO UPDATE SET "
    "data = EXCLUDED.data, stored = EXCLUDED.stored"};

constexpr Statement kReport{"report", "SELECT data FROM blackbox_reports WHERE session_h = $1"};
constexpr Statement kHasReport{"has_report", "SELECT 1 FROM blackbox_reports WHERE session_h = $1"};

constexpr Statement kAll[] = {
    kFindContext,   kAddContext,   kFindSession,    kAddSession,   kAddMetric, kLockRun,
    kRemoveSession, kRemoveRun,    kRemoveCrashes,  kWriteSession, kWriteRun,  kWriteCrash,
    kRunHasRows,    kReplaceTests, kReplaceMetrics, kRuns,         kRunHead,   kRunTests,
    kRunCrashes,    kHistory,      kPutReport,      kReport,       kHasReport};

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

// A JSON column's value, or its text when it is not JSON.
json parsed(const json& text) {
    if (!text.is_string()) {
        return text;
    }
    json value = json::parse(text.get<std::string>(), nullptr, false);
    return value.is_discarded() ? text : value;
}

// What SQLite's `CASE WHEN json_valid(context) THEN json_extract(context, '$.git.branch') END`
// gives for a run's context text: NULL unless it is JSON with that path; text, integers and
// reals as themselves, booleans as 1 and 0, objects and arrays as their JSON text.
json git_branch(const json& context) {
    if (!context.is_string()) {
        return nullptr;
    }
    const json value = json::parse(context.get<std::string>(), nullptr, false);
    if (value.is_discarded() || !value.is_object()) {
        return nullptr;
    }
    const auto git = value.find("git");
    if (git == value.end() || !git->is_object()) {
        return nullptr;
    }
    const auto branch = git->find("branch");
    if (branch == git->end()) {
        return nullptr;
    }
    if (branch->is_boolean()) {
        return branch->get<bool>() ? 1 : 0;
    }
    if (branch->is_object() || branch->is_array()) {
        return base::json_text(*branch);
    }
    return *branch;
}

std::optional<std::string> null_if_empty(const std::string& text) {
    return text.empty() ? std::nullopt : std::optional(text);
}

// The chunk's tests into `table` (kTestsColumns). A node id twice in one chunk: the last wins,
// as with one INSERT OR REPLACE after the other (one statement may not update a row twice).
void copy_tests(pqxx::work& transaction, const char* table, const RunUpload& upload) {
    const auto& tests = upload.tests;
    std::unordered_map<std::string_view, std::size_t> last;
    last.reserve(tests.size());
    for (std::size_t i = 0; i < tests.size(); ++i) {
        last[tests[i].nodeid] = i;
    }
    pqxx::stream_to stream(transaction, table, kTestsColumns);
    for (std::size_t i = 0; i < tests.size(); ++i) {
        const auto& t = tests[i];
        if (last[t.nodeid] != i) {
            continue;
        }
        CopyRow<kTestsColumns.size()> row;
        row.add(upload.session_h);
        row.add(t.nodeid);
        row.add(t.outcome);
        row.add(t.worker);
        row.add(std::int64_t{t.attempt});
        row.add(t.start);
        for (const auto* seconds :
             {&t.setup_s, &t.call_s, &t.teardown_s, &t.total_s, &t.user_s, &t.sys_s}) {
            row.add(*seconds);
        }
        row.add(t.peak_rss_bytes);
        row.add(std::int64_t{t.peak_exact ? 1 : 0});
        row.add(t.peak_tree_rss_bytes);
        row.add(t.rss_before_bytes);
        row.add(t.rss_after_bytes);
        row.add(t.retained_bytes);
        row.add(std::int64_t{t.monitored ? 1 : 0});
        stream << row.fields();
    }
    stream.complete();
}

// The chunk's metrics into `table` (kMetricsColumns); OUTCOME and NODEID as text, as
// store::RunWriter binds them ("" for a scope's outcome).
void copy_metrics(pqxx::work& transaction, const char* table, const RunUpload& upload) {
    pqxx::stream_to stream(transaction, table, kMetricsColumns);
    for (const auto& m : upload.metrics) {
        CopyRow<kMetricsColumns.size()> row;
        row.add(upload.session_h);
        row.add(upload.env_h);
        row.add(m.item_start_time);
        for (const auto* text :
             {&m.item_path, &m.item, &m.item_variant, &m.item_fs_loc, &m.kind, &m.component}) {
            row.add(*text);
        }
        for (const auto* number :
             {&m.total_time, &m.user_time, &m.kernel_time, &m.cpu_usage, &m.mem_usage}) {
            row.add(*number);
        }
        row.add(m.outcome);
        row.add(m.nodeid);
        stream << row.fields();
    }
    stream.complete();
}

void insert_context(pqxx::work& transaction, const store::ExecutionContextRow& row) {
    transaction.exec_prepared(kAddContext.name, row.env_h, row.cpu_count, row.cpu_frequency_mhz,
                              row.cpu_type, row.cpu_vendor, row.ram_total_mb, row.machine_node,
                              row.machine_type, row.machine_arch, row.system_info, row.python_info);
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
        for (const auto& statement : kAll) {
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

std::optional<store::ExecutionContextRow> PostgresBackend::find_context(const std::string& env_h) {
    return with_connection(
        [&](pqxx::connection& connection) -> std::optional<store::ExecutionContextRow> {
            pqxx::read_transaction transaction(connection);
            const auto result = transaction.exec_prepared(kFindContext.name, env_h);
            if (result.empty()) {
                return std::nullopt;
            }
            const auto& r = result[0];
            store::ExecutionContextRow row;
            row.env_h = r[0].as<std::string>();
            row.cpu_count = r[1].as<std::int64_t>(0);
            row.cpu_frequency_mhz = r[2].as<std::int64_t>(0);
            row.cpu_type = r[3].as<std::string>("");
            row.cpu_vendor = r[4].as<std::string>("");
            row.ram_total_mb = r[5].as<std::int64_t>(0);
            row.machine_node = r[6].as<std::string>("");
            row.machine_type = r[7].as<std::string>("");
            row.machine_arch = r[8].as<std::string>("");
            row.system_info = r[9].as<std::string>("");
            row.python_info = r[10].as<std::string>("");
            return row;
        });
}

void PostgresBackend::add_context(const store::ExecutionContextRow& row) {
    with_connection([&](pqxx::connection& connection) {
        pqxx::work transaction(connection);
        insert_context(transaction, row);
        transaction.commit();
    });
}

std::optional<store::SessionRow> PostgresBackend::find_session(const std::string& session_h) {
    return with_connection([&](pqxx::connection& connection) -> std::optional<store::SessionRow> {
        pqxx::read_transaction transaction(connection);
        const auto result = transaction.exec_prepared(kFindSession.name, session_h);
        if (result.empty()) {
            return std::nullopt;
        }
        const auto& r = result[0];
        store::SessionRow row;
        row.session_h = r[0].as<std::string>();
        row.run_date = r[1].as<std::string>("");
        row.scm_id = r[2].as<std::string>("");
        row.run_description = r[3].as<std::string>("");
        row.run_id = r[4].as<std::string>("");
        return row;
    });
}

void PostgresBackend::add_session(const store::SessionRow& row) {
    with_connection([&](pqxx::connection& connection) {
        pqxx::work transaction(connection);
        transaction.exec_prepared(kAddSession.name, row.session_h, row.run_date, row.scm_id,
                                  row.run_description);
        transaction.commit();
    });
}

bool PostgresBackend::add_metric(const MonitorMetric& metric) {
    return with_connection([&](pqxx::connection& connection) {
        pqxx::work transaction(connection);
        const auto& row = metric.row;
        const auto result = transaction.exec_prepared(
            kAddMetric.name, metric.session_h, metric.env_h, row.item_start_time, row.item_path,
            row.item, row.item_variant, row.item_fs_loc, row.kind, row.component, row.total_time,
            row.user_time, row.kernel_time, row.cpu_usage, row.mem_usage,
            null_if_empty(row.outcome));
        transaction.commit();
        return result.affected_rows() == 1;
    });
}

UploadCounts PostgresBackend::ingest(const RunUpload& upload) {
    return with_connection([&](pqxx::connection& connection) {
        UploadCounts counts;
        const auto& session_h = upload.session_h;
        pqxx::work transaction(connection);
        transaction.exec_prepared(kLockRun.name, session_h);
        if (upload.head) {
            const auto& head = *upload.head;
            for (const auto* statement : {&kRemoveSession, &kRemoveRun, &kRemoveCrashes}) {
                transaction.exec_prepared(statement->name, session_h);
            }
            insert_context(transaction, head.context);
            transaction.exec_prepared(kWriteSession.name, session_h, head.session.run_date,
                                      head.session.scm_id, head.session.run_description);
            const auto& r = head.run;
            transaction.exec_prepared(kWriteRun.name, session_h, r.run_id, r.run_dir, upload.env_h,
                                      r.started, r.ended, r.duration_s, r.command, r.status,
                                      r.exit_code, r.attempts, r.collected, r.passed, r.failed,
                                      r.skipped, r.xfailed, r.xpassed, r.errors, r.crashed,
                                      r.not_run, r.context);
            for (const auto& c : head.crashes) {
                transaction.exec_prepared(kWriteCrash.name, session_h, c.nodeid, c.phase, c.cause,
                                          c.signal, c.exit_code, c.worker, c.attempt, c.rss_bytes,
                                          c.evidence, c.traceback);
            }
            counts.crashes = head.crashes.size();
        }
        if (!upload.tests.empty() || !upload.metrics.empty()) {
            const auto has = transaction.exec_prepared(kRunHasRows.name, session_h)[0];
            if (!upload.tests.empty()) {
                const bool replacing = has[0].as<bool>();
                copy_tests(transaction,
                           replacing ? "pg_temp.blackbox_upload_tests" : "blackbox_tests", upload);
                if (replacing) {
                    transaction.exec_prepared(kReplaceTests.name);
                }
            }
            if (!upload.metrics.empty()) {
                const bool replacing = has[1].as<bool>();
                copy_metrics(transaction,
                             replacing ? "pg_temp.blackbox_upload_metrics" : "TEST_METRICS",
                             upload);
                if (replacing) {
                    transaction.exec_prepared(kReplaceMetrics.name);
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
        transaction.exec_prepared(kPutReport.name, session_h, pqxx::binarystring(gzipped));
        transaction.commit();
    });
}

std::optional<std::string> PostgresBackend::report(const std::string& session_h) {
    return with_connection([&](pqxx::connection& connection) -> std::optional<std::string> {
        pqxx::read_transaction transaction(connection);
        const auto result = transaction.exec_prepared(kReport.name, session_h);
        if (result.empty()) {
            return std::nullopt;
        }
        return pqxx::binarystring(result[0][0]).str();
    });
}

json PostgresBackend::runs(std::size_t limit) {
    return with_connection([&](pqxx::connection& connection) {
        pqxx::read_transaction transaction(connection);
        json rows =
            rows_json(transaction.exec_prepared(kRuns.name, static_cast<std::int64_t>(limit)));
        for (auto& row : rows) {
            row["branch"] = git_branch(row["branch"]);
        }
        return rows;
    });
}

std::optional<json> PostgresBackend::run(const std::string& session_h) {
    return with_connection([&](pqxx::connection& connection) -> std::optional<json> {
        pqxx::read_transaction transaction(connection);
        const auto head = transaction.exec_prepared(kRunHead.name, session_h);
        if (head.empty()) {
            return std::nullopt;
        }
        json run = row_json(head[0]);
        for (const char* key : {"command", "context", "description"}) {
            run[key] = parsed(run[key]);
        }
        run["tests"] = rows_json(transaction.exec_prepared(kRunTests.name, session_h));
        run["crashes"] = rows_json(transaction.exec_prepared(kRunCrashes.name, session_h));
        run["report"] = !transaction.exec_prepared(kHasReport.name, session_h).empty();
        return run;
    });
}

json PostgresBackend::test_history(const std::string& nodeid, std::size_t limit) {
    return with_connection([&](pqxx::connection& connection) {
        pqxx::read_transaction transaction(connection);
        json rows = rows_json(
            transaction.exec_prepared(kHistory.name, nodeid, static_cast<std::int64_t>(limit)));
        for (auto& row : rows) {
            row["branch"] = git_branch(row["branch"]);
        }
        std::reverse(rows.begin(), rows.end());
        return rows;
    });
}

}  // namespace blackbox::store
