#pragma once

// The SQL texts derived from the tables' description (tables.hpp) in a dialect (dialect.hpp):
// the DDL, the migrations that add what an older database lacks, and the inserts.

#include <string>

#include <blackbox/store/dialect.hpp>
#include <blackbox/store/tables.hpp>

namespace blackbox::store {

// CREATE TABLE IF NOT EXISTS for the table, every column in order.
std::string create_table_sql(const Dialect& dialect, const Table& table);
// ALTER TABLE … ADD COLUMN for a column an older database lacks.
std::string add_column_sql(const Dialect& dialect, const Table& table, const Column& column);
// Every index (CREATE INDEX IF NOT EXISTS), after the retired ones are dropped.
std::string reconcile_indexes_sql(const Dialect& dialect);
// An insert of one row, every column a parameter, in the table's order.
std::string insert_sql(const Dialect& dialect, const Table& table, Conflict conflict);

// The deletion of one run's rows from the table: those whose session_h column (SESSION_H in
// pytest-monitor's tables) is parameter 1. Storing a run again replaces its rows this way.
std::string remove_run_rows_sql(const Dialect& dialect, const Table& table);

// pytest-monitor's route for one metric: a TEST_METRICS row inserted only when its session
// (parameter 1) and its context (parameter 2) are known, in one statement, so that the check and
// the insert see the same snapshot.
std::string add_metric_sql(const Dialect& dialect);

// A function metric of pytest-monitor's client counted in its session's run (monitor_run.hpp):
// the run takes the metric's context as its machine (parameter 2) when it has none, one more
// test collected and passed, and the test's time (parameter 3) in its duration, when the run is
// one of the client's sessions (parameter 1) and has no test of that node id yet (parameter 4).
// The test's row is written after it when it changed a row.
std::string count_monitor_test_sql(const Dialect& dialect);

}  // namespace blackbox::store
