#include <chrono>
#include <sqlite3.h>
#include <thread>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/rundir/run_directory.hpp>
#include <blackbox/rundir/run_files.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/schema.hpp>

namespace blackbox::store {

namespace {

// Switches the file to WAL (persistent: done once per file). SQLite answers a switch that meets
// another connection's lock with SQLITE_BUSY at once, without its busy handler: several runs
// creating the database at the same moment meet here, so the switch is retried for as long as
// the busy timeout.
void enter_wal_mode(SQLite::Database& database) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    for (;;) {
        try {
            database.exec("PRAGMA journal_mode = WAL");
            return;
        } catch (const SQLite::Exception& failure) {
            if ((failure.getErrorCode() & 0xff) != SQLITE_BUSY ||
                std::chrono::steady_clock::now() >= deadline) {
                throw;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace

std::filesystem::path default_database_path(const std::filesystem::path& base) {
    return rundir::state_dir(base) / rundir::kMetricsDatabase;
}

SQLite::Database open_database(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::error_code error;
    if (path.has_parent_path()) {
        std::filesystem::create_directories(path.parent_path(), error);
        if (error) {
            throw Error(fmt::format("cannot create the directory of {}: {}", name, error.message()),
                        kDatabaseError);
        }
    }
    try {
        SQLite::Database database(name, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        database.setBusyTimeout(kBusyTimeoutMs);
        // The first read of the file's header: a file that is not SQLite fails here. Another
        // program's database is refused before anything, its journal mode included, changes.
        check_usable(database, name);
        enter_wal_mode(database);
        // In WAL mode NORMAL loses no committed transaction on a crash of the process, only
        // possibly the last ones on a power loss: what a measurement store needs.
        database.exec("PRAGMA synchronous = NORMAL");
        // 64 MiB of page cache (the default is 2 MiB): a 100,000-test run's index pages stay
        // in memory while it is written.
        database.exec("PRAGMA cache_size = -65536");
        migrate(database, name);
        return database;
    } catch (const SQLite::Exception& failure) {
        if (failure.getErrorCode() == SQLITE_NOTADB) {
            throw Error(fmt::format("{} is not a SQLite database: refusing to write into it; "
                                    "name another with --db",
                                    name),
                        kDatabaseError);
        }
        throw Error(fmt::format("cannot open the metrics database {}: {}", name, failure.what()),
                    kDatabaseError);
    }
}

}  // namespace blackbox::store
