#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <set>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/schema.hpp>

namespace blackbox::store {

namespace {

// pytest-monitor's tables as it creates them (column names and types are the contract: queries
// and dashboards written for a .pymon file read ours), with our two columns at the end of
// TEST_METRICS.
constexpr const char* kExecutionContexts = R"(
CREATE TABLE IF NOT EXISTS EXECUTION_CONTEXTS (
    ENV_H varchar(64) primary key not null unique,
    CPU_COUNT integer,
    CPU_FREQUENCY_MHZ integer,
    CPU_TYPE varchar(64),
    CPU_VENDOR varchar(256),
    RAM_TOTAL_MB integer,
    MACHINE_NODE varchar(512),
    MACHINE_TYPE varchar(32),
    MACHINE_ARCH varchar(16),
    SYSTEM_INFO varchar(256),
    PYTHON_INFO varchar(512)
))";

constexpr const char* kTestSessions = R"(
CREATE TABLE IF NOT EXISTS TEST_SESSIONS (
    SESSION_H varchar(64) primary key not null unique,
    RUN_DATE varchar(64),
    SCM_ID varchar(128),
    RUN_DESCRIPTION json
))";

constexpr const char* kTestMetrics = R"(
CREATE TABLE IF NOT EXISTS TEST_METRICS (
    SESSION_H varchar(64),
    ENV_H varchar(64),
    ITEM_START_TIME varchar(64),
    ITEM_PATH varchar(4096),
    ITEM varchar(2096),
    ITEM_VARIANT varchar(2048),
    ITEM_FS_LOC varchar(2048),
    KIND varchar(64),
    COMPONENT varchar(512) NULL,
    TOTAL_TIME float,
    USER_TIME float,
    KERNEL_TIME float,
    CPU_USAGE float,
    MEM_USAGE float,
    OUTCOME varchar(16),
    NODEID varchar(4096),
    FOREIGN KEY (ENV_H) REFERENCES EXECUTION_CONTEXTS(ENV_H),
    FOREIGN KEY (SESSION_H) REFERENCES TEST_SESSIONS(SESSION_H)
))";

constexpr const char* kOurTables = R"(
CREATE TABLE IF NOT EXISTS blackbox_runs (
    session_h text primary key,
    run_id text,
    run_dir text,
    env_h text,
    started text,
    ended text,
    duration_s real,
    command json,
    status text,
    exit_code integer,
    attempts integer,
    collected integer,
    passed integer,
    failed integer,
    skipped integer,
    xfailed integer,
    xpassed integer,
    errors integer,
    crashed integer,
    not_run integer,
    context json,
    ingested text
);
CREATE TABLE IF NOT EXISTS blackbox_tests (
    session_h text not null,
    nodeid text not null,
    outcome text,
    worker text,
    attempt integer,
    start text,
    setup_s real,
    call_s real,
    teardown_s real,
    total_s real,
    user_s real,
    sys_s real,
    peak_rss_bytes integer,
    peak_exact integer,
    peak_tree_rss_bytes integer,
    rss_before_bytes integer,
    rss_after_bytes integer,
    retained_bytes integer,
    monitored integer,
    primary key (session_h, nodeid)
);
CREATE TABLE IF NOT EXISTS blackbox_crashes (
    session_h text not null,
    nodeid text,
    phase text,
    cause text,
    signal integer,
    exit_code integer,
    worker text,
    attempt integer,
    rss_bytes integer,
    evidence text,
    traceback text
);
)";

// Indexes are no part of the schema's version: a database of the current version opened for
// writing gets the ones it lacks and loses the retired ones. None is keyed by a test first: such
// an index takes an entry on a page of its own for each test of a run, and writing those pages
// was half of what a server's writer spent on a row. A test's history walks the runs from the
// newest (blackbox_runs_started) and finds the test in each by the primary key
// (session_h, nodeid): as many lookups as runs read, which a history's limit bounds.
constexpr const char* kIndexes = R"(
CREATE INDEX IF NOT EXISTS TEST_METRICS_SESSION_NODEID ON TEST_METRICS(SESSION_H, NODEID);
CREATE INDEX IF NOT EXISTS blackbox_runs_env_h_started ON blackbox_runs(env_h, started);
CREATE INDEX IF NOT EXISTS blackbox_runs_started ON blackbox_runs(started);
CREATE INDEX IF NOT EXISTS blackbox_crashes_session_h ON blackbox_crashes(session_h);
)";
const std::set<std::string> kIndexNames{"TEST_METRICS_SESSION_NODEID",
                                        "blackbox_runs_env_h_started", "blackbox_runs_started",
                                        "blackbox_crashes_session_h"};

// Retired: TEST_METRICS(ITEM_VARIANT) and blackbox_tests(nodeid), keyed by a test, and
// TEST_METRICS(SESSION_H), whose one column leads TEST_METRICS(SESSION_H, NODEID), which serves
// the same lookups.
constexpr const char* kRetiredIndexes = R"(
DROP INDEX IF EXISTS TEST_METRICS_ITEM_VARIANT;
DROP INDEX IF EXISTS blackbox_tests_nodeid;
DROP INDEX IF EXISTS TEST_METRICS_SESSION_H;
)";
const std::set<std::string> kRetiredIndexNames{"TEST_METRICS_ITEM_VARIANT", "blackbox_tests_nodeid",
                                               "TEST_METRICS_SESSION_H"};

// Version 2: the runs' HTML report data (a server's uploads; docs/formats/metrics-db.md).
constexpr const char* kVersion2Tables = R"(
CREATE TABLE IF NOT EXISTS blackbox_reports (
    session_h text primary key,
    data blob not null,
    stored text
);
)";

const std::set<std::string> kMonitorTables{"EXECUTION_CONTEXTS", "TEST_METRICS", "TEST_SESSIONS"};

// The schema version and the table names, read in one statement: one snapshot of the file,
// which another process may be creating or migrating at the same moment (two statements could
// see the version before its commit and the tables after it).
struct Snapshot {
    int version = 0;
    std::set<std::string> tables;
};

Snapshot snapshot(SQLite::Database& database) {
    SQLite::Statement query(database,
                            "SELECT (SELECT user_version FROM pragma_user_version), "
                            "(SELECT group_concat(name, char(10)) FROM sqlite_master WHERE type = "
                            "'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\')");
    Snapshot result;
    if (query.executeStep()) {
        result.version = query.getColumn(0).getInt();
        std::string names = query.getColumn(1).getString();  // "" when NULL: no tables
        std::size_t begin = 0;
        while (begin < names.size()) {
            auto end = names.find('\n', begin);
            end = end == std::string::npos ? names.size() : end;
            result.tables.insert(names.substr(begin, end - begin));
            begin = end + 1;
        }
    }
    return result;
}

int user_version(SQLite::Database& database) {
    return database.execAndGet("PRAGMA user_version").getInt();
}

bool has_column(SQLite::Database& database, const char* table, const char* column) {
    SQLite::Statement query(database, fmt::format("SELECT 1 FROM pragma_table_info('{}') WHERE "
                                                  "name = ?",
                                                  table));
    query.bind(1, column);
    return query.executeStep();
}

// Version 0 to 1: a new file gets every table; a pytest-monitor file gets our columns and
// tables, and its rows (pytest-monitor stored only passing tests) are marked passed.
void create_version_1(SQLite::Database& database, bool adopting) {
    database.exec(kExecutionContexts);
    database.exec(kTestSessions);
    database.exec(kTestMetrics);
    if (adopting) {
        if (!has_column(database, "TEST_METRICS", "OUTCOME")) {
            database.exec("ALTER TABLE TEST_METRICS ADD COLUMN OUTCOME varchar(16)");
            database.exec("UPDATE TEST_METRICS SET OUTCOME = 'passed' WHERE KIND = 'function'");
        }
        if (!has_column(database, "TEST_METRICS", "NODEID")) {
            database.exec("ALTER TABLE TEST_METRICS ADD COLUMN NODEID varchar(4096)");
        }
    }
    database.exec(kOurTables);
}

}  // namespace

SchemaState inspect_schema(SQLite::Database& database) {
    const auto [version, tables] = snapshot(database);
    if (version > kSchemaVersion) {
        return SchemaState::newer;
    }
    if (version == 0) {
        if (tables.empty()) {
            return SchemaState::empty;
        }
        return tables == kMonitorTables ? SchemaState::pytest_monitor : SchemaState::foreign;
    }
    const bool ours = tables.count("blackbox_runs") != 0 && tables.count("blackbox_tests") != 0;
    if (!ours) {
        return SchemaState::foreign;
    }
    return version < kSchemaVersion ? SchemaState::older : SchemaState::current;
}

namespace {

void refuse(SchemaState state, SQLite::Database& database, const std::string& name) {
    switch (state) {
        case SchemaState::newer:
            throw Error(fmt::format("{} has schema version {}, newer than this blackbox knows "
                                    "({}): use a newer blackbox, or another --db",
                                    name, user_version(database), kSchemaVersion),
                        kDatabaseError);
        case SchemaState::foreign:
            throw Error(fmt::format("{} is a SQLite database of another program (neither a "
                                    "blackbox metrics database nor a pytest-monitor one): "
                                    "refusing to write into it; name another with --db",
                                    name),
                        kDatabaseError);
        case SchemaState::empty:
        case SchemaState::pytest_monitor:
        case SchemaState::older:
        case SchemaState::current:
            break;
    }
}

}  // namespace

void check_usable(SQLite::Database& database, const std::string& name) {
    refuse(inspect_schema(database), database, name);
}

namespace {

// Whether the database has every index of kIndexes and none retired (a user's own indexes are
// theirs to keep).
bool indexes_current(SQLite::Database& database) {
    SQLite::Statement query(database, "SELECT name FROM sqlite_master WHERE type = 'index'");
    std::set<std::string> missing = kIndexNames;
    while (query.executeStep()) {
        const std::string name = query.getColumn(0).getString();
        if (kRetiredIndexNames.count(name) != 0) {
            return false;
        }
        missing.erase(name);
    }
    return missing.empty();
}

// The caller holds a write transaction.
void reconcile_indexes(SQLite::Database& database) {
    database.exec(kRetiredIndexes);
    database.exec(kIndexes);
}

}  // namespace

void migrate(SQLite::Database& database, const std::string& name) {
    // Cheap check first: the usual case needs no write lock.
    if (inspect_schema(database) == SchemaState::current && indexes_current(database)) {
        return;
    }
    SQLite::Transaction transaction(database, SQLite::TransactionBehavior::IMMEDIATE);
    // Again under the lock: another process may have created or migrated it meanwhile.
    const auto state = inspect_schema(database);
    refuse(state, database, name);
    if (state != SchemaState::current) {
        if (state != SchemaState::older) {
            create_version_1(database, state == SchemaState::pytest_monitor);
        }
        database.exec(kVersion2Tables);  // version 1 to 2
        database.exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
    }
    reconcile_indexes(database);
    transaction.commit();
}

}  // namespace blackbox::store
