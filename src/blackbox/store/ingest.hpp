#pragma once

// Ingest: one run directory's rows into the metrics database (docs/formats/metrics-db.md), in
// one transaction, replacing the rows of an earlier ingest of the same run.

#include <SQLiteCpp/Database.h>
#include <cstddef>
#include <filesystem>
#include <string>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::store {

// What one ingest wrote.
struct IngestSummary {
    std::string session_h;
    std::size_t tests = 0;    // blackbox_tests rows
    std::size_t metrics = 0;  // TEST_METRICS rows
    std::size_t crashes = 0;  // blackbox_crashes rows
};

// Writes `run` (loaded from its directory, whose collected files are read again for the tests'
// locations) into `database`, opened by open_database. Throws blackbox::Error (kDatabaseError)
// when SQLite fails; nothing of the run is written then.
IngestSummary ingest_run(SQLite::Database& database, const postmortem::RunModel& run);

// Loads the run directory `dir` and ingests it. Throws blackbox::Error: load_run's when `dir`
// is not a run directory, kDatabaseError when SQLite fails.
IngestSummary ingest_run_directory(SQLite::Database& database, const std::filesystem::path& dir);

}  // namespace blackbox::store
