#include <fmt/format.h>

#include <blackbox/store/dialect.hpp>

namespace blackbox::store {

namespace {

std::string text_type(const Column& column) {
    return column.width > 0 ? fmt::format("varchar({})", column.width) : "text";
}

// The metrics database of `blackbox run` and `ingest`, and of `blackbox serve --db FILE`.
class Sqlite final : public Dialect {
  public:
    std::string type_name(const Table& table, const Column& column) const override {
        switch (column.type) {
            case ColumnType::integer:
                return "integer";
            case ColumnType::real:
                return table.pytest_monitor ? "float" : "real";
            case ColumnType::text:
                return text_type(column);
            case ColumnType::json:
                return "json";
            case ColumnType::blob:
                return "blob";
        }
        return "";
    }
    std::string placeholder(int n) const override { return fmt::format("?{}", n); }
    std::string typed_placeholder(int n, const Table&, const Column&) const override {
        return placeholder(n);
    }
    std::string_view insert_head(Conflict conflict) const override {
        switch (conflict) {
            case Conflict::fail:
                return "INSERT INTO";
            case Conflict::ignore:
                return "INSERT OR IGNORE INTO";
            case Conflict::replace:
                return "INSERT OR REPLACE INTO";
        }
        return "";
    }
    std::string insert_tail(const Table&, Conflict) const override { return ""; }
    std::string order_key(std::string_view expression, bool descending) const override {
        return fmt::format("{}{}", expression, descending ? " DESC" : "");
    }
    std::string_view ordered_join() const override { return "CROSS JOIN"; }
    // An index on `started` read backwards is in that order already: its entries end with the
    // rowid.
    std::string index_key(const IndexKey& key) const override { return std::string(key.column); }
    bool declares_references() const override { return true; }
    std::string_view arrival_column() const override { return ""; }
    std::string folded(std::string_view name) const override { return std::string(name); }
};

// `blackbox serve --db postgresql://…`. Integers are bigint (SQLite's are 64-bit), reals double
// precision, JSON text (a session's description may be any text), varchar widths kept (the
// server's field readers refuse longer text before it gets here). Text is sorted with COLLATE
// "C": byte order, as SQLite's BINARY, whatever the database's locale.
class Postgres final : public Dialect {
  public:
    std::string type_name(const Table&, const Column& column) const override {
        switch (column.type) {
            case ColumnType::integer:
                return "bigint";
            case ColumnType::real:
                return "double precision";
            case ColumnType::text:
                return text_type(column);
            case ColumnType::json:
                return "text";
            case ColumnType::blob:
                return "bytea";
        }
        return "";
    }
    std::string placeholder(int n) const override { return fmt::format("${}", n); }
    std::string typed_placeholder(int n, const Table& table, const Column& column) const override {
        const bool text = column.type == ColumnType::text || column.type == ColumnType::json;
        return fmt::format("${}::{}", n, text ? "text" : type_name(table, column));
    }
    std::string_view insert_head(Conflict) const override { return "INSERT INTO"; }
    std::string insert_tail(const Table& table, Conflict conflict) const override {
        if (conflict == Conflict::fail || table.primary_key.empty()) {
            return "";
        }
        std::string key;
        for (auto name : table.primary_key) {
            key += fmt::format("{}{}", key.empty() ? "" : ", ", name);
        }
        if (conflict == Conflict::ignore) {
            return fmt::format(" ON CONFLICT ({}) DO NOTHING", key);
        }
        std::string set;
        for (const auto& column : table.columns) {
            bool keyed = false;
            for (auto name : table.primary_key) {
                keyed = keyed || name == column.name;
            }
            if (!keyed) {
                set += fmt::format("{}{} = EXCLUDED.{}", set.empty() ? "" : ", ", column.name,
                                   column.name);
            }
        }
        return fmt::format(" ON CONFLICT ({}) DO UPDATE SET {}", key, set);
    }
    std::string order_key(std::string_view expression, bool descending) const override {
        return fmt::format("{} COLLATE \"C\"{}", expression,
                           descending ? " DESC NULLS LAST" : " NULLS FIRST");
    }
    std::string_view ordered_join() const override { return "JOIN"; }
    std::string index_key(const IndexKey& key) const override {
        return key.newest_first ? order_key(key.column, true) + ", rowid DESC"
                                : std::string(key.column);
    }
    bool declares_references() const override { return false; }
    std::string_view arrival_column() const override {
        return "rowid bigint GENERATED ALWAYS AS IDENTITY";
    }
    std::string folded(std::string_view name) const override {
        std::string lower(name);
        for (auto& c : lower) {
            c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
        return lower;
    }
};

}  // namespace

const Dialect& sqlite_dialect() {
    static const Sqlite dialect;
    return dialect;
}

const Dialect& postgres_dialect() {
    static const Postgres dialect;
    return dialect;
}

}  // namespace blackbox::store
