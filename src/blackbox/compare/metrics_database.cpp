#include "metrics_database.hpp"

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/compare/sqlite_source.hpp>
#include <blackbox/rundir/run_directory.hpp>

namespace blackbox::compare {

namespace {

// As long as an ingest may hold the write lock (docs/formats/metrics-db.md uses the same).
constexpr int kBusyTimeoutMs = 30'000;

}  // namespace

std::filesystem::path default_metrics_database(const std::filesystem::path& base) {
    return rundir::state_dir(base) / "metrics.db";
}

SQLite::Database open_metrics_database(const std::filesystem::path& path) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
        throw Error(fmt::format("no metrics database at {}: `blackbox run` writes one, or name "
                                "another with --db",
                                path.string()),
                    kUnreadableDatabase);
    }
    try {
        SQLite::Database database(path.string(), SQLite::OPEN_READONLY);
        database.setBusyTimeout(kBusyTimeoutMs);
        if (!database.tableExists("blackbox_runs") || !database.tableExists("blackbox_tests")) {
            throw Error(fmt::format("{} is not a blackbox metrics database (it has no "
                                    "blackbox_runs and blackbox_tests tables)",
                                    path.string()),
                        kUnreadableDatabase);
        }
        return database;
    } catch (const SQLite::Exception& failure) {
        throw Error(
            fmt::format("cannot read {} as a metrics database: {}", path.string(), failure.what()),
            kUnreadableDatabase);
    }
}

}  // namespace blackbox::compare
