#pragma once

// Binding rows to prepared statements, shared by the store's writer and the server's backend so
// that a column is bound one way everywhere: absent figures are NULL.

#include <SQLiteCpp/Statement.h>
#include <cstddef>
#include <cstdint>
#include <optional>

#include <blackbox/store/metrics_row.hpp>

namespace blackbox::store {

template <typename T>
void bind_or_null(SQLite::Statement& statement, int index, const std::optional<T>& value) {
    if (value) {
        statement.bind(index, *value);
    } else {
        statement.bind(index);
    }
}

inline void bind_or_null(SQLite::Statement& statement, int index, std::size_t value) {
    statement.bind(index, static_cast<std::int64_t>(value));
}

// TEST_METRICS' columns from ITEM_START_TIME to MEM_USAGE, as parameters ?3 to ?14 (?1 and ?2
// are the session's and the context's hashes, the rest the caller's).
void bind_metrics_columns(SQLite::Statement& statement, const MetricsRow& row);

}  // namespace blackbox::store
