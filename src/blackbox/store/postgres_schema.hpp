#pragma once

// The metrics database's schema (docs/formats/metrics-db.md) in PostgreSQL, for the server's
// PostgreSQL backend: the same tables and columns, in the same order, so a query written for
// the SQLite file reads a PostgreSQL database alike (names are unquoted: PostgreSQL folds them
// to lower case, and unquoted names in queries fold the same way). Its version is the one row
// of blackbox_schema (PostgreSQL has no user_version).

#include <string>

namespace pqxx {
class connection_base;
}

namespace blackbox::store {

// Creates the tables in the connection's current schema when none of them exist, and checks
// the version when they do, in one transaction under an advisory lock (two servers starting on
// a new database create it once). Throws blackbox::Error (kDatabaseError) when the
// database holds a newer schema, tables of the same names that are not ours, or is not UTF-8;
// `name` names the database in those messages. libpqxx's failures propagate.
void migrate_postgres(pqxx::connection_base& connection, const std::string& name);

}  // namespace blackbox::store
