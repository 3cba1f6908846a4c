#include <stdexcept>

#include <fmt/format.h>

#include <blackbox/store/monitor_run.hpp>
#include <blackbox/store/sql.hpp>

namespace blackbox::store {

namespace {

std::string column_sql(const Dialect& dialect, const Table& table, const Column& column) {
    auto text = fmt::format("{} {}", column.name, dialect.type_name(table, column));
    if (table.primary_key.size() == 1 && table.primary_key[0] == column.name) {
        text += table.pytest_monitor ? " primary key not null unique" : " primary key";
    } else if (column.not_null) {
        text += " not null";
    }
    return text;
}

}  // namespace

std::string create_table_sql(const Dialect& dialect, const Table& table) {
    std::string body;
    for (const auto& column : table.columns) {
        body +=
            fmt::format("{}    {}", body.empty() ? "" : ",\n", column_sql(dialect, table, column));
    }
    if (table.arrival_order && !dialect.arrival_column().empty()) {
        body += fmt::format(",\n    {}", dialect.arrival_column());
    }
    if (table.primary_key.size() > 1) {
        std::string key;
        for (auto name : table.primary_key) {
            key += fmt::format("{}{}", key.empty() ? "" : ", ", name);
        }
        body += fmt::format(",\n    primary key ({})", key);
    }
    if (dialect.declares_references()) {
        for (const auto& reference : table.references) {
            body += fmt::format(",\n    FOREIGN KEY ({}) REFERENCES {}({})", reference.column,
                                reference.table, reference.column);
        }
    }
    return fmt::format("CREATE TABLE IF NOT EXISTS {} (\n{}\n);\n", table.name, body);
}

std::string add_column_sql(const Dialect& dialect, const Table& table, const Column& column) {
    // A column added to existing rows may not be NOT NULL without a default: none is.
    return fmt::format("ALTER TABLE {} ADD COLUMN {} {}", table.name, column.name,
                       dialect.type_name(table, column));
}

std::string reconcile_indexes_sql(const Dialect& dialect) {
    std::string sql;
    for (auto name : retired_indexes()) {
        sql += fmt::format("DROP INDEX IF EXISTS {};\n", name);
    }
    for (const auto& index : indexes()) {
        std::string keys;
        for (const auto& key : index.keys) {
            keys += fmt::format("{}{}", keys.empty() ? "" : ", ", dialect.index_key(key));
        }
        sql += fmt::format("CREATE INDEX IF NOT EXISTS {} ON {}({});\n", index.name, index.table,
                           keys);
    }
    return sql;
}

std::string insert_sql(const Dialect& dialect, const Table& table, Conflict conflict) {
    std::string values;
    for (int n = 1; n <= static_cast<int>(table.columns.size()); ++n) {
        values += fmt::format("{}{}", n == 1 ? "" : ", ", dialect.placeholder(n));
    }
    return fmt::format("{} {} ({}) VALUES ({}){}", dialect.insert_head(conflict), table.name,
                       column_list(table), values, dialect.insert_tail(table, conflict));
}

std::string remove_run_rows_sql(const Dialect& dialect, const Table& table) {
    const auto* session = find_column(table, table.pytest_monitor ? "SESSION_H" : "session_h");
    if (session == nullptr) {
        throw std::logic_error(fmt::format("{} has no column for its run", table.name));
    }
    return fmt::format("DELETE FROM {} WHERE {} = {}", table.name, session->name,
                       dialect.placeholder(1));
}

std::string add_metric_sql(const Dialect& dialect) {
    const auto& metrics = table(kTestMetrics);
    std::string values;
    int n = 0;
    for (const auto& column : metrics.columns) {
        ++n;
        values +=
            fmt::format("{}{}", n == 1 ? "" : ", ", dialect.typed_placeholder(n, metrics, column));
    }
    const auto& session = metrics.columns[0];
    const auto& env = metrics.columns[1];
    return fmt::format(
        "INSERT INTO {} ({}) SELECT {} WHERE EXISTS (SELECT 1 FROM {} WHERE {} = {}) "
        "AND EXISTS (SELECT 1 FROM {} WHERE {} = {})",
        metrics.name, column_list(metrics), values, kTestSessions, session.name,
        dialect.typed_placeholder(1, metrics, session), kExecutionContexts, env.name,
        dialect.typed_placeholder(2, metrics, env));
}

std::string count_monitor_test_sql(const Dialect& d) {
    return fmt::format(
        "UPDATE {} SET env_h = COALESCE(NULLIF(env_h, ''), {}), collected = collected + 1, "
        "passed = passed + 1, duration_s = COALESCE(duration_s, 0) + COALESCE(CAST({} AS double "
        "precision), 0) WHERE "
        "session_h = {} AND status = '{}' AND NOT EXISTS (SELECT 1 FROM {} t WHERE t.session_h = "
        "{} AND t.nodeid = {})",
        kRuns, d.placeholder(2), d.placeholder(3), d.placeholder(1), kMonitorRunStatus, kTests,
        d.placeholder(1), d.placeholder(4));
}

}  // namespace blackbox::store
