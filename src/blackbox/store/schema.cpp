#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <algorithm>
#include <set>
#include <vector>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/schema.hpp>
#include <blackbox/store/sql.hpp>

namespace blackbox::store {

namespace {

// The tables' DDL, migrations and indexes are derived from their description (tables.hpp).

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

// The columns the description has and the table lacks (a pytest-monitor file's TEST_METRICS, or
// a column added to the description since the file was written).
std::vector<const Column*> missing_columns(SQLite::Database& database, const Table& table) {
    std::set<std::string> present;
    SQLite::Statement query(database, "SELECT name FROM pragma_table_info(?)");
    query.bind(1, std::string(table.name));
    while (query.executeStep()) {
        present.insert(query.getColumn(0).getString());
    }
    std::vector<const Column*> missing;
    if (present.empty()) {
        return missing;  // no such table (yet)
    }
    for (const auto& column : table.columns) {
        if (present.count(std::string(column.name)) == 0) {
            missing.push_back(&column);
        }
    }
    return missing;
}

bool columns_current(SQLite::Database& database) {
    for (const auto& table : tables()) {
        if (!missing_columns(database, table).empty()) {
            return false;
        }
    }
    return true;
}

// The caller holds a write transaction. A pytest-monitor file's rows (it stored only passing
// tests) are marked passed when its TEST_METRICS gets OUTCOME.
void add_missing_columns(SQLite::Database& database) {
    for (const auto& table : tables()) {
        for (const auto* column : missing_columns(database, table)) {
            database.exec(add_column_sql(sqlite_dialect(), table, *column));
            if (table.name == kTestMetrics && column->name == "OUTCOME") {
                database.exec("UPDATE TEST_METRICS SET OUTCOME = 'passed' WHERE KIND = 'function'");
            }
        }
    }
}

// Creates the tables of versions up to `version` that are missing.
void create_tables(SQLite::Database& database, int version) {
    for (const auto& table : tables()) {
        if (table.since_version <= version) {
            database.exec(create_table_sql(sqlite_dialect(), table));
        }
    }
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
    std::set<std::string_view> missing;
    for (const auto& index : indexes()) {
        missing.insert(index.name);
    }
    const auto retired = retired_indexes();
    while (query.executeStep()) {
        const std::string name = query.getColumn(0).getString();
        if (std::find(retired.begin(), retired.end(), name) != retired.end()) {
            return false;
        }
        missing.erase(name);
    }
    return missing.empty();
}

// The caller holds a write transaction.
void reconcile_indexes(SQLite::Database& database) {
    database.exec(reconcile_indexes_sql(sqlite_dialect()));
}

}  // namespace

void migrate(SQLite::Database& database, const std::string& name) {
    // Cheap check first: the usual case needs no write lock.
    if (inspect_schema(database) == SchemaState::current && indexes_current(database) &&
        columns_current(database)) {
        return;
    }
    SQLite::Transaction transaction(database, SQLite::TransactionBehavior::IMMEDIATE);
    // Again under the lock: another process may have created or migrated it meanwhile.
    const auto state = inspect_schema(database);
    refuse(state, database, name);
    if (state != SchemaState::current) {
        // Version 0 to 1: a new file gets every table; a pytest-monitor file keeps its three
        // and gets our columns (add_missing_columns) and tables. Version 1 to 2: the runs'
        // HTML report data (a server's uploads).
        create_tables(database, kSchemaVersion);
        database.exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
    }
    add_missing_columns(database);
    reconcile_indexes(database);
    transaction.commit();
}

}  // namespace blackbox::store
