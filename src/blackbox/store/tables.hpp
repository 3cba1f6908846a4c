#pragma once

// The metrics database's tables (docs/formats/metrics-db.md), described once: each table's
// name, its columns in order with their logical types, its keys, and the indexes. Every SQL text
// that names columns is derived from this description (sql.hpp: both dialects' DDL, the inserts
// and COPY's column lists, the migrations that add a column), and a row's values are put in
// this order by one function per table (row_values.hpp). Adding a column is one line here, the
// writer that fills it and the readers that read it.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace blackbox::store {

enum class ColumnType {
    integer,  // 64-bit
    real,     // a double
    text,     // UTF-8 text; a `width` declares it varchar(width), as pytest-monitor does
    json,     // JSON text (pytest-monitor's type name; any text is kept)
    blob,     // bytes
};

struct Column {
    std::string_view name;
    ColumnType type;
    int width = 0;  // text only: the declared varchar width, 0 for text
    bool not_null = false;
};

// A foreign key as pytest-monitor declares it (not enforced: ingest replaces a session while its
// metrics stay).
struct Reference {
    std::string_view column, table;
};

struct Table {
    std::string_view name;
    std::span<const Column> columns;
    std::span<const std::string_view> primary_key = {};  // empty: none
    // pytest-monitor's own table: its spelling is kept (reals are "float", a one-column key is
    // "primary key not null unique"), so that its queries and dashboards read ours.
    bool pytest_monitor = false;
    // The dashboard lists its rows in their order of arrival (SQLite's rowid; PostgreSQL gets
    // an identity column of that name).
    bool arrival_order = false;
    std::span<const Reference> references = {};
    int since_version = 1;  // the schema version that added the table
};

// One key of an index. `newest_first`: the index serves "ORDER BY column DESC, arrival DESC".
struct IndexKey {
    std::string_view column;
    bool newest_first = false;
};

// Indexes are no part of the schema's version: a database opened for writing gets the ones it
// lacks and loses the retired ones.
struct Index {
    std::string_view name, table;
    std::span<const IndexKey> keys;
};

// The tables' names.
inline constexpr std::string_view kExecutionContexts = "EXECUTION_CONTEXTS";
inline constexpr std::string_view kTestSessions = "TEST_SESSIONS";
inline constexpr std::string_view kTestMetrics = "TEST_METRICS";
inline constexpr std::string_view kRuns = "blackbox_runs";
inline constexpr std::string_view kTests = "blackbox_tests";
inline constexpr std::string_view kCrashes = "blackbox_crashes";
inline constexpr std::string_view kReports = "blackbox_reports";

// The description itself, in the header so that a table's number of columns is a constant (a
// COPY row's fields are an array). Read it through tables() and table().

// pytest-monitor's tables as it creates them (column names and types are the contract: queries
// and dashboards written for a .pymon file read ours), with our two columns at the end of
// TEST_METRICS (OUTCOME, NODEID).
inline constexpr Column kExecutionContextColumns[] = {
    {"ENV_H", ColumnType::text, 64, true},      {"CPU_COUNT", ColumnType::integer},
    {"CPU_FREQUENCY_MHZ", ColumnType::integer}, {"CPU_TYPE", ColumnType::text, 64},
    {"CPU_VENDOR", ColumnType::text, 256},      {"RAM_TOTAL_MB", ColumnType::integer},
    {"MACHINE_NODE", ColumnType::text, 512},    {"MACHINE_TYPE", ColumnType::text, 32},
    {"MACHINE_ARCH", ColumnType::text, 16},     {"SYSTEM_INFO", ColumnType::text, 256},
    {"PYTHON_INFO", ColumnType::text, 512},
};
inline constexpr std::string_view kEnvKey[] = {"ENV_H"};

inline constexpr Column kTestSessionColumns[] = {
    {"SESSION_H", ColumnType::text, 64, true},
    {"RUN_DATE", ColumnType::text, 64},
    {"SCM_ID", ColumnType::text, 128},
    {"RUN_DESCRIPTION", ColumnType::json},
};
inline constexpr std::string_view kSessionKey[] = {"SESSION_H"};

inline constexpr Column kTestMetricsColumns[] = {
    {"SESSION_H", ColumnType::text, 64},       {"ENV_H", ColumnType::text, 64},
    {"ITEM_START_TIME", ColumnType::text, 64}, {"ITEM_PATH", ColumnType::text, 4096},
    {"ITEM", ColumnType::text, 2096},          {"ITEM_VARIANT", ColumnType::text, 2048},
    {"ITEM_FS_LOC", ColumnType::text, 2048},   {"KIND", ColumnType::text, 64},
    {"COMPONENT", ColumnType::text, 512},      {"TOTAL_TIME", ColumnType::real},
    {"USER_TIME", ColumnType::real},           {"KERNEL_TIME", ColumnType::real},
    {"CPU_USAGE", ColumnType::real},           {"MEM_USAGE", ColumnType::real},
    {"OUTCOME", ColumnType::text, 16},         {"NODEID", ColumnType::text, 4096},
};
inline constexpr Reference kTestMetricsReferences[] = {
    {"ENV_H", "EXECUTION_CONTEXTS"},
    {"SESSION_H", "TEST_SESSIONS"},
};

inline constexpr Column kRunColumns[] = {
    {"session_h", ColumnType::text},
    {"run_id", ColumnType::text},
    {"run_dir", ColumnType::text},
    {"env_h", ColumnType::text},
    {"started", ColumnType::text},
    {"ended", ColumnType::text},
    {"duration_s", ColumnType::real},
    {"command", ColumnType::json},
    {"status", ColumnType::text},
    {"exit_code", ColumnType::integer},
    {"attempts", ColumnType::integer},
    {"collected", ColumnType::integer},
    {"passed", ColumnType::integer},
    {"failed", ColumnType::integer},
    {"skipped", ColumnType::integer},
    {"xfailed", ColumnType::integer},
    {"xpassed", ColumnType::integer},
    {"errors", ColumnType::integer},
    {"crashed", ColumnType::integer},
    {"not_run", ColumnType::integer},
    {"context", ColumnType::json},
    {"ingested", ColumnType::text},
    // Added in place (no new version): what compare matches runs on, and what plan adds to a
    // shard's tests.
    {"settings", ColumnType::json},
    {"startup_s", ColumnType::real},
    {"collection_s", ColumnType::real},
    {"finish_s", ColumnType::real},
};
inline constexpr std::string_view kRunKey[] = {"session_h"};

inline constexpr Column kTestColumns[] = {
    {"session_h", ColumnType::text, 0, true},
    {"nodeid", ColumnType::text, 0, true},
    {"outcome", ColumnType::text},
    {"worker", ColumnType::text},
    {"attempt", ColumnType::integer},
    {"start", ColumnType::text},
    {"setup_s", ColumnType::real},
    {"call_s", ColumnType::real},
    {"teardown_s", ColumnType::real},
    {"total_s", ColumnType::real},
    {"user_s", ColumnType::real},
    {"sys_s", ColumnType::real},
    {"peak_rss_bytes", ColumnType::integer},
    {"peak_exact", ColumnType::integer},
    {"peak_tree_rss_bytes", ColumnType::integer},
    {"rss_before_bytes", ColumnType::integer},
    {"rss_after_bytes", ColumnType::integer},
    {"retained_bytes", ColumnType::integer},
    {"monitored", ColumnType::integer},
    {"main_cpu_s", ColumnType::real},
    {"run_delay_s", ColumnType::real},
    // Added in place (no new version): the tries pytest-rerunfailures ran before the last.
    {"reruns", ColumnType::integer},
};
inline constexpr std::string_view kTestKey[] = {"session_h", "nodeid"};

inline constexpr Column kCrashColumns[] = {
    {"session_h", ColumnType::text, 0, true},
    {"nodeid", ColumnType::text},
    {"phase", ColumnType::text},
    {"cause", ColumnType::text},
    {"signal", ColumnType::integer},
    {"exit_code", ColumnType::integer},
    {"worker", ColumnType::text},
    {"attempt", ColumnType::integer},
    {"rss_bytes", ColumnType::integer},
    {"evidence", ColumnType::text},
    {"traceback", ColumnType::text},
};

// Version 2: the runs' HTML report data (a server's uploads).
inline constexpr Column kReportColumns[] = {
    {"session_h", ColumnType::text},
    {"data", ColumnType::blob, 0, true},
    {"stored", ColumnType::text},
};

inline constexpr Table kTables[] = {
    {kExecutionContexts, kExecutionContextColumns, kEnvKey, true},
    {kTestSessions, kTestSessionColumns, kSessionKey, true},
    {kTestMetrics, kTestMetricsColumns, {}, true, false, kTestMetricsReferences},
    {kRuns, kRunColumns, kRunKey, false, true},
    {kTests, kTestColumns, kTestKey},
    {kCrashes, kCrashColumns, {}, false, true},
    {kReports, kReportColumns, kRunKey, false, false, {}, 2},
};

// Every table, in the order they are created.
std::span<const Table> tables();
// The table of that name (exact spelling). Throws std::out_of_range for another name.
const Table& table(std::string_view name);
// Whether the table has a column of that name.
const Column* find_column(const Table& table, std::string_view name);

std::span<const Index> indexes();
std::span<const std::string_view> retired_indexes();

// "a, b, c": the table's columns in order.
std::string column_list(const Table& table);
std::vector<std::string> column_names(const Table& table);

}  // namespace blackbox::store
