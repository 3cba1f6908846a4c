#include <array>
#include <pqxx/pqxx>
#include <set>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/postgres_schema.hpp>
#include <blackbox/store/schema.hpp>

namespace blackbox::store {

namespace {

// store/schema.cpp's tables, column for column. Types: integer columns are bigint (SQLite's
// integers are 64-bit), float and real ones double precision, json ones text (a session's
// description may be any text, as pytest-monitor's documentation sends it), varchar widths
// kept (the server's field readers refuse longer text before it gets here). SQLite declares
// TEST_METRICS' foreign keys without enforcing them (ingest replaces a session while its
// metrics stay): none here either. blackbox_runs and blackbox_crashes get the rowid SQLite
// gives every table, explicitly: the order of arrival the dashboard's lists sort by.
constexpr const char* kTables = R"(
CREATE TABLE EXECUTION_CONTEXTS (
    ENV_H varchar(64) PRIMARY KEY NOT NULL,
    CPU_COUNT bigint,
    CPU_FREQUENCY_MHZ bigint,
    CPU_TYPE varchar(64),
    CPU_VENDOR varchar(256),
    RAM_TOTAL_MB bigint,
    MACHINE_NODE varchar(512),
    MACHINE_TYPE varchar(32),
    MACHINE_ARCH varchar(16),
    SYSTEM_INFO varchar(256),
    PYTHON_INFO varchar(512)
);
CREATE TABLE TEST_SESSIONS (
    SESSION_H varchar(64) PRIMARY KEY NOT NULL,
    RUN_DATE varchar(64),
    SCM_ID varchar(128),
    RUN_DESCRIPTION text
);
CREATE TABLE TEST_METRICS (
    SESSION_H varchar(64),
    ENV_H varchar(64),
    ITEM_START_TIME varchar(64),
    ITEM_PATH varchar(4096),
    ITEM varchar(2096),
    ITEM_VARIANT varchar(2048),
    ITEM_FS_LOC varchar(2048),
    KIND varchar(64),
    COMPONENT varchar(512) NULL,
    TOTAL_TIME double precision,
    USER_TIME double precision,
    KERNEL_TIME double precision,
    CPU_USAGE double precision,
    MEM_USAGE double precision,
    OUTCOME varchar(16),
    NODEID varchar(4096)
);
CREATE TABLE blackbox_runs (
    session_h text PRIMARY KEY,
    run_id text,
    run_dir text,
    env_h text,
    started text,
    ended text,
    duration_s double precision,
    command text,
    status text,
    exit_code bigint,
    attempts bigint,
    collected bigint,
    passed bigint,
    failed bigint,
    skipped bigint,
    xfailed bigint,
    xpassed bigint,
    errors bigint,
    crashed bigint,
    not_run bigint,
    context text,
    ingested text,
    rowid bigint GENERATED ALWAYS AS IDENTITY
);
CREATE TABLE blackbox_tests (
    session_h text NOT NULL,
    nodeid text NOT NULL,
    outcome text,
    worker text,
    attempt bigint,
    start text,
    setup_s double precision,
    call_s double precision,
    teardown_s double precision,
    total_s double precision,
    user_s double precision,
    sys_s double precision,
    peak_rss_bytes bigint,
    peak_exact bigint,
    peak_tree_rss_bytes bigint,
    rss_before_bytes bigint,
    rss_after_bytes bigint,
    retained_bytes bigint,
    monitored bigint,
    PRIMARY KEY (session_h, nodeid)
);
CREATE TABLE blackbox_crashes (
    session_h text NOT NULL,
    nodeid text,
    phase text,
    cause text,
    signal bigint,
    exit_code bigint,
    worker text,
    attempt bigint,
    rss_bytes bigint,
    evidence text,
    traceback text,
    rowid bigint GENERATED ALWAYS AS IDENTITY
);
CREATE TABLE blackbox_schema (version integer NOT NULL);
)";

// store/schema.cpp's indexes (none keyed by a test first: see there), made and retired when the
// server opens a database that lacks one or has a retired one. blackbox_runs_started walks the
// runs in the order a test's history sorts them.
constexpr const char* kIndexes = R"(
DROP INDEX IF EXISTS TEST_METRICS_ITEM_VARIANT;
DROP INDEX IF EXISTS blackbox_tests_nodeid;
DROP INDEX IF EXISTS TEST_METRICS_SESSION_H;
CREATE INDEX IF NOT EXISTS TEST_METRICS_SESSION_NODEID ON TEST_METRICS(SESSION_H, NODEID);
CREATE INDEX IF NOT EXISTS blackbox_runs_env_h_started ON blackbox_runs(env_h, started);
CREATE INDEX IF NOT EXISTS blackbox_runs_started ON blackbox_runs(started COLLATE "C" DESC NULLS
    LAST, rowid DESC);
CREATE INDEX IF NOT EXISTS blackbox_crashes_session_h ON blackbox_crashes(session_h);
)";
const std::set<std::string> kIndexNames{"test_metrics_session_nodeid",
                                        "blackbox_runs_env_h_started", "blackbox_runs_started",
                                        "blackbox_crashes_session_h"};
const std::set<std::string> kRetiredIndexNames{"test_metrics_item_variant", "blackbox_tests_nodeid",
                                               "test_metrics_session_h"};

// Version 2: the runs' HTML report data, as store/schema.cpp's.
constexpr const char* kVersion2Tables = R"(
CREATE TABLE blackbox_reports (
    session_h text PRIMARY KEY,
    data bytea NOT NULL,
    stored text
);
)";

// The tables of version 1 (blackbox_schema besides), as PostgreSQL names them (folded to lower
// case); version 2 adds blackbox_reports.
constexpr std::array kTableNames{"execution_contexts", "test_sessions",  "test_metrics",
                                 "blackbox_runs",      "blackbox_tests", "blackbox_crashes"};
constexpr std::size_t kVersion1Tables = kTableNames.size() + 1;

// Whether the schema has every index of kIndexes and none it retires (a user's own are theirs).
bool indexes_current(pqxx::work& transaction) {
    std::set<std::string> missing = kIndexNames;
    for (const auto& row : transaction.exec(
             "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema()")) {
        const auto name = row[0].as<std::string>();
        if (kRetiredIndexNames.count(name) != 0) {
            return false;
        }
        missing.erase(name);
    }
    return missing.empty();
}

// Any number: the lock only keeps two blackbox servers from creating the tables at once.
constexpr long kCreationLock = 0x626c6b62;  // "blkb"

}  // namespace

void migrate_postgres(pqxx::connection_base& connection, const std::string& name) {
    pqxx::work transaction(connection);
    const auto encoding = transaction.exec("SHOW server_encoding")[0][0].as<std::string>();
    if (encoding != "UTF8" && encoding != "SQL_ASCII") {
        throw Error(fmt::format("{} has the encoding {}: the metrics need a UTF8 database "
                                "(createdb -E UTF8)",
                                name, encoding),
                    kDatabaseError);
    }
    transaction.exec_params("SELECT pg_advisory_xact_lock($1)", kCreationLock);
    // The tables of the schema the connection writes into (its search_path's first).
    const auto found = transaction.exec(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = "
        "current_schema() AND table_name IN ('blackbox_schema', 'execution_contexts', "
        "'test_sessions', 'test_metrics', 'blackbox_runs', 'blackbox_tests', "
        "'blackbox_crashes', 'blackbox_reports')");
    bool versioned = false;
    for (const auto& row : found) {
        versioned = versioned || row[0].as<std::string>() == "blackbox_schema";
    }
    if (!versioned) {
        if (!found.empty()) {
            throw Error(fmt::format("{} already has a table named {} that blackbox did not "
                                    "create: refusing to write into it; name another database",
                                    name, found[0][0].as<std::string>()),
                        kDatabaseError);
        }
        transaction.exec(kTables);
        transaction.exec(kVersion2Tables);
        transaction.exec(kIndexes);
        transaction.exec_params("INSERT INTO blackbox_schema (version) VALUES ($1)",
                                kSchemaVersion);
        transaction.commit();
        return;
    }
    const auto version = transaction.exec("SELECT max(version) FROM blackbox_schema")[0][0];
    const int number = version.is_null() ? 0 : version.as<int>();
    if (number > kSchemaVersion) {
        throw Error(fmt::format("{} has schema version {}, newer than this blackbox knows ({}): "
                                "use a newer blackbox, or another --db",
                                name, number, kSchemaVersion),
                    kDatabaseError);
    }
    const std::size_t expected = number >= 2 ? kVersion1Tables + 1 : kVersion1Tables;
    if (number < 1 || found.size() != expected) {
        throw Error(fmt::format("{} has an incomplete blackbox schema (version {}, {} of {} "
                                "tables): name another database",
                                name, number, found.size(), expected),
                    kDatabaseError);
    }
    if (number == 1) {
        transaction.exec(kVersion2Tables);
        transaction.exec_params("INSERT INTO blackbox_schema (version) VALUES ($1)", 2);
    }
    if (!indexes_current(transaction)) {
        transaction.exec(kIndexes);  // no part of the version: those since added, or retired
    }
    transaction.commit();
}

}  // namespace blackbox::store
