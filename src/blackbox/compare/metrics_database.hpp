#pragma once

// Opening a metrics database for compare and history: read-only, so that a comparison never
// creates a file, takes a write lock, or changes what CI is gating on.

#include <SQLiteCpp/Database.h>
#include <filesystem>

namespace blackbox::compare {

// `.blackbox/metrics.db` under `base`: the default database of compare and history.
std::filesystem::path default_metrics_database(const std::filesystem::path& base);

// Opens `path` read-only with a busy timeout (a run may be ingesting at the same time). Throws
// blackbox::Error (exit status 2) when the file is missing, is not a SQLite database, or has no
// `blackbox_runs` table.
SQLite::Database open_metrics_database(const std::filesystem::path& path);

}  // namespace blackbox::compare
