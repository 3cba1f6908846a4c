#pragma once

// Opening the store's metrics database for compare and history: read-only, so that a comparison
// never creates the file, never takes its write lock and never rewrites what CI is gating on.
// (store::open_database is the writers' door: it creates, adopts and migrates.)

#include <SQLiteCpp/Database.h>
#include <filesystem>

namespace blackbox::compare {

// Opens `path` read-only with the store's busy timeout (a run may be ingesting at the same
// time). Throws blackbox::Error (exit status 2) when the file is missing, is not a SQLite
// database, holds no blackbox tables (empty, another program's, or a pytest-monitor file never
// written by blackbox), or has a newer schema version than this blackbox knows.
SQLite::Database open_metrics_database(const std::filesystem::path& path);

}  // namespace blackbox::compare
