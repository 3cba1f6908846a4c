#include <pqxx/pqxx>
#include <set>
#include <vector>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/postgres_schema.hpp>
#include <blackbox/store/schema.hpp>
#include <blackbox/store/sql.hpp>

namespace blackbox::store {

namespace {

// The tables' DDL and indexes are derived from their description (tables.hpp) in PostgreSQL's
// dialect. SQLite declares TEST_METRICS' foreign keys without enforcing them (ingest replaces a
// session while its metrics stay): none here. blackbox_runs and blackbox_crashes get the rowid
// SQLite gives every table, explicitly: the order of arrival the dashboard's lists sort by. Its
// version is the one row of blackbox_schema (PostgreSQL has no user_version).
std::string tables_sql(int since_version) {
    std::string sql;
    for (const auto& table : tables()) {
        if (table.since_version == since_version) {
            sql += create_table_sql(postgres_dialect(), table);
        }
    }
    return sql;
}

// The tables as PostgreSQL names them (folded to lower case), of versions up to `version`.
std::vector<std::string> table_names(int version) {
    std::vector<std::string> names;
    for (const auto& table : tables()) {
        if (table.since_version <= version) {
            names.push_back(postgres_dialect().folded(table.name));
        }
    }
    return names;
}

// The caller holds the transaction: the columns of the description a table lacks (added to the
// description since the database was made).
void add_missing_columns(pqxx::work& transaction) {
    std::set<std::string> present;
    for (const auto& row : transaction.exec(
             "SELECT table_name::text || '.' || column_name::text FROM information_schema.columns "
             "WHERE table_schema = current_schema()")) {
        present.insert(row[0].as<std::string>());
    }
    const auto& dialect = postgres_dialect();
    for (const auto& table : tables()) {
        for (const auto& column : table.columns) {
            if (present.count(dialect.folded(table.name) + "." + dialect.folded(column.name)) ==
                0) {
                transaction.exec(add_column_sql(dialect, table, column));
            }
        }
    }
}

// Whether the schema has every index of kIndexes and none it retires (a user's own are theirs).
bool indexes_current(pqxx::work& transaction) {
    const auto& dialect = postgres_dialect();
    std::set<std::string> missing, retired;
    for (const auto& index : indexes()) {
        missing.insert(dialect.folded(index.name));
    }
    for (auto name : retired_indexes()) {
        retired.insert(dialect.folded(name));
    }
    for (const auto& row : transaction.exec(
             "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema()")) {
        const auto name = row[0].as<std::string>();
        if (retired.count(name) != 0) {
            return false;
        }
        missing.erase(name);
    }
    return missing.empty();
}

// Any number: the lock only keeps two blackbox servers from creating the tables at once.
constexpr long kCreationLock = 0x626c6b62;  // "blkb"

}  // namespace

void migrate_postgres(pqxx::connection_base& connection, const std::string& name) {
    pqxx::work transaction(connection);
    const auto encoding = transaction.exec("SHOW server_encoding")[0][0].as<std::string>();
    if (encoding != "UTF8" && encoding != "SQL_ASCII") {
        throw Error(fmt::format("{} has the encoding {}: the metrics need a UTF8 database "
                                "(createdb -E UTF8)",
                                name, encoding),
                    kDatabaseError);
    }
    transaction.exec_params("SELECT pg_advisory_xact_lock($1)", kCreationLock);
    // The tables of the schema the connection writes into (its search_path's first).
    std::string names = "'blackbox_schema'";
    for (const auto& table : table_names(kSchemaVersion)) {
        names += ", '" + table + "'";
    }
    const auto found = transaction.exec(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = "
        "current_schema() AND table_name IN (" +
        names + ")");
    bool versioned = false;
    for (const auto& row : found) {
        versioned = versioned || row[0].as<std::string>() == "blackbox_schema";
    }
    if (!versioned) {
        if (!found.empty()) {
            throw Error(fmt::format("{} already has a table named {} that blackbox did not "
                                    "create: refusing to write into it; name another database",
                                    name, found[0][0].as<std::string>()),
                        kDatabaseError);
        }
        transaction.exec(tables_sql(1) +
                         "CREATE TABLE blackbox_schema (version integer NOT NULL);");
        transaction.exec(tables_sql(2));
        transaction.exec(reconcile_indexes_sql(postgres_dialect()));
        transaction.exec_params("INSERT INTO blackbox_schema (version) VALUES ($1)",
                                kSchemaVersion);
        transaction.commit();
        return;
    }
    const auto version = transaction.exec("SELECT max(version) FROM blackbox_schema")[0][0];
    const int number = version.is_null() ? 0 : version.as<int>();
    if (number > kSchemaVersion) {
        throw Error(fmt::format("{} has schema version {}, newer than this blackbox knows ({}): "
                                "use a newer blackbox, or another --db",
                                name, number, kSchemaVersion),
                    kDatabaseError);
    }
    // Its tables and blackbox_schema.
    const std::size_t expected = table_names(number).size() + 1;
    if (number < 1 || found.size() != expected) {
        throw Error(fmt::format("{} has an incomplete blackbox schema (version {}, {} of {} "
                                "tables): name another database",
                                name, number, found.size(), expected),
                    kDatabaseError);
    }
    if (number == 1) {
        transaction.exec(tables_sql(2));
        transaction.exec_params("INSERT INTO blackbox_schema (version) VALUES ($1)", 2);
    }
    add_missing_columns(transaction);
    if (!indexes_current(transaction)) {
        // No part of the version: those since added, or retired.
        transaction.exec(reconcile_indexes_sql(postgres_dialect()));
    }
    transaction.commit();
}

}  // namespace blackbox::store
