#include "metrics_database.hpp"

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/compare/sqlite_source.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/schema.hpp>

namespace blackbox::compare {

namespace {

[[noreturn]] void refuse(const std::string& message) {
    throw Error(message, kUnreadableDatabase);
}

}  // namespace

SQLite::Database open_metrics_database(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
        refuse(
            fmt::format("no metrics database at {}: `blackbox run` writes one, or name "
                        "another with --db",
                        name));
    }
    try {
        SQLite::Database database(name, SQLite::OPEN_READONLY);
        database.setBusyTimeout(store::kBusyTimeoutMs);
        // No default: a new schema state must decide here whether compare can read it.
        switch (store::inspect_schema(database)) {
            case store::SchemaState::older:  // its sessions' tables are the same
            case store::SchemaState::current:
                return database;
            case store::SchemaState::empty:
                refuse(fmt::format("{} holds no blackbox session yet", name));
            case store::SchemaState::pytest_monitor:
                refuse(
                    fmt::format("{} is a pytest-monitor database that blackbox never wrote "
                                "into: it has no blackbox session to compare",
                                name));
            case store::SchemaState::newer:
                refuse(
                    fmt::format("{} has a newer schema version than this blackbox knows "
                                "({}): use a newer blackbox",
                                name, store::kSchemaVersion));
            case store::SchemaState::foreign:
                refuse(
                    fmt::format("{} is not a blackbox metrics database (another program's "
                                "tables)",
                                name));
        }
        refuse(fmt::format("{}: unknown schema state", name));
    } catch (const SQLite::Exception& failure) {
        refuse(fmt::format("cannot read {} as a metrics database: {}", name, failure.what()));
    }
}

}  // namespace blackbox::compare
