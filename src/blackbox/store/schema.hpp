#pragma once

// The schema of the metrics database and its migrations (docs/formats/metrics-db.md).
// `PRAGMA user_version` is the schema version.

#include <SQLiteCpp/Database.h>
#include <string>

namespace blackbox::store {

// The schema version this blackbox writes.
inline constexpr int kSchemaVersion = 2;

// What a database file holds before any migration.
enum class SchemaState {
    empty,           // no tables: a new file
    pytest_monitor,  // pytest-monitor's three tables, user_version 0: adopted in place
    older,           // an earlier version of ours: readable; migrated when opened for writing
    current,         // kSchemaVersion
    newer,           // a version this blackbox does not know
    foreign,         // tables of another program
};

// Classifies the database from its tables and user_version. Throws SQLite::Exception.
SchemaState inspect_schema(SQLite::Database& database);

// Throws blackbox::Error (kDatabaseError) for a foreign database or a newer version, before
// anything is written into it (not even its journal mode); SQLite::Exception when SQLite fails
// (SQLITE_NOTADB for a file that is not SQLite). `name` labels errors.
void check_usable(SQLite::Database& database, const std::string& name);

// Brings the database to kSchemaVersion in one immediate transaction (rows kept), so two
// processes opening a new file at the same time create it once. `name` labels errors. Throws
// blackbox::Error (kDatabaseError) for a foreign or newer database, SQLite::Exception when
// SQLite fails.
void migrate(SQLite::Database& database, const std::string& name);

}  // namespace blackbox::store
