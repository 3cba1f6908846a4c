#pragma once

// What differs between the two databases the metrics live in, SQLite and PostgreSQL, and
// nothing else: type names, parameters, what an insert does with a key already there, text
// order and a few spellings. The SQL itself is built once from the tables' description
// (sql.hpp) through this seam.

#include <string>
#include <string_view>

#include <blackbox/store/tables.hpp>

namespace blackbox::store {

// What an insert does with a row whose primary key is already stored.
enum class Conflict {
    fail,     // the statement fails
    ignore,   // the stored row is kept
    replace,  // the new row replaces it
};

class Dialect {
  public:
    virtual ~Dialect() = default;

    // The column's type as this database declares it.
    virtual std::string type_name(const Table& table, const Column& column) const = 0;
    // The n-th parameter of a statement, from 1.
    virtual std::string placeholder(int n) const = 0;
    // The same where nothing around it gives its type (a SELECT list): the column's.
    virtual std::string typed_placeholder(int n, const Table& table,
                                          const Column& column) const = 0;
    // An insert's words before the table's name, and what follows its values.
    virtual std::string_view insert_head(Conflict conflict) const = 0;
    virtual std::string insert_tail(const Table& table, Conflict conflict) const = 0;
    // `expression` as a key of ORDER BY, sorted as SQLite sorts text: by bytes, NULL lowest.
    virtual std::string order_key(std::string_view expression, bool descending) const = 0;
    // A join that keeps its left side's order (the planner may not start from the right).
    virtual std::string_view ordered_join() const = 0;
    // An index's key.
    virtual std::string index_key(const IndexKey& key) const = 0;
    // Whether a table's DDL declares its foreign keys.
    virtual bool declares_references() const = 0;
    // The column that gives a table its arrival order, declared (PostgreSQL's identity column
    // `rowid`), or "" when every table has one (SQLite's rowid).
    virtual std::string_view arrival_column() const = 0;
    // An unquoted name as the catalog keeps it (PostgreSQL folds it to lower case).
    virtual std::string folded(std::string_view name) const = 0;
};

const Dialect& sqlite_dialect();
const Dialect& postgres_dialect();

}  // namespace blackbox::store
