#pragma once

// What `blackbox serve --db` names: a SQLite file, or a PostgreSQL database as a libpq URL
// (postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?PARAMS]). A URL may carry a password, in
// its user part or as a `password` parameter: whatever is printed about it goes through
// redacted_url() or without_password(), never the URL itself.

#include <string>
#include <string_view>

namespace blackbox::store {

// Whether `db` is a PostgreSQL URL (postgresql:// or postgres://) rather than a file's path.
bool is_postgres_url(std::string_view db);

// The URL with its password (user part and `password` parameter) replaced by "***", for the
// first line and error messages. Unchanged when it has none.
std::string redacted_url(std::string_view url);

// `message` with every occurrence of the URL's password (as written, and percent-decoded)
// replaced by "***": a driver's message may quote what it was given.
std::string without_password(std::string message, std::string_view url);

}  // namespace blackbox::store
