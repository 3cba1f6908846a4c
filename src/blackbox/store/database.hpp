#pragma once

// The metrics database (docs/formats/metrics-db.md) opened for writing: created when missing,
// migrated in place to the current schema version, in WAL mode with a busy timeout, so that
// several runs ingesting into one file at the same time each wait their turn.

#include <SQLiteCpp/Database.h>
#include <filesystem>

namespace blackbox::store {

// Exit status for a database that cannot be opened, migrated or written: not SQLite, another
// program's database, a newer schema, or a SQLite failure.
inline constexpr int kDatabaseError = 2;

// How long a connection waits for another one's lock before failing (an ingest of a
// 100,000-test run holds the write lock for about a second).
inline constexpr int kBusyTimeoutMs = 30'000;

// `.blackbox/metrics.db` under `base`: the default database of `run` and `ingest`.
std::filesystem::path default_database_path(const std::filesystem::path& base);

// Opens the database at `path` for reading and writing, creating it and its directory when
// missing, adopting a pytest-monitor database and migrating an older schema version in one
// transaction. The connection is in WAL mode with kBusyTimeoutMs. Throws blackbox::Error
// (kDatabaseError) when the file is not a SQLite database, is a SQLite database of another
// program, has a newer schema version than this blackbox knows, or SQLite fails.
SQLite::Database open_database(const std::filesystem::path& path);

}  // namespace blackbox::store
