#pragma once

// A row's values in its table's column order (tables.hpp), put into whatever takes them: a
// SQLite statement's parameters, a PostgreSQL statement's, a line of COPY. One function per
// table, so that a column is written one way whichever database and path writes it.

#include <cstdint>
#include <optional>
#include <string>

#include <blackbox/postmortem/run_model.hpp>
#include <blackbox/store/execution_context_row.hpp>
#include <blackbox/store/metrics_row.hpp>
#include <blackbox/store/session_row.hpp>
#include <blackbox/store/test_row.hpp>
#include <blackbox/store/upload.hpp>

namespace blackbox::store {

class ValueSink {
  public:
    virtual ~ValueSink() = default;
    virtual void null() = 0;
    virtual void integer(std::int64_t value) = 0;
    virtual void real(double value) = 0;
    // `value` outlives the call only as long as the row it came from: a sink that keeps it past
    // the call copies it, or is fed only rows whose texts are their own fields (tests, metrics).
    virtual void text(const std::string& value) = 0;

    void put(const std::string& value) { text(value); }
    void put(std::int64_t value) { integer(value); }
    void put(int value) { integer(value); }
    void put(double value) { real(value); }
    template <typename T>
    void put(const std::optional<T>& value) {
        if (value) {
            put(*value);
        } else {
            null();
        }
    }
};

// EXECUTION_CONTEXTS.
void context_values(const ExecutionContextRow& row, ValueSink& out);
// TEST_SESSIONS.
void session_values(const std::string& session_h, const SessionRow& row, ValueSink& out);
// TEST_METRICS: OUTCOME and NODEID as text ("" for a scope's outcome).
void metrics_values(const std::string& session_h, const std::string& env_h, const MetricsRow& row,
                    ValueSink& out);
// TEST_METRICS from pytest-monitor's client: an empty OUTCOME is NULL, and NODEID is.
void monitor_metric_values(const MonitorMetric& metric, ValueSink& out);
// blackbox_tests.
void test_values(const std::string& session_h, const TestRow& row, ValueSink& out);
// blackbox_runs; `ingested` is when it was written (iso time).
void run_values(const std::string& session_h, const std::string& env_h, const RunRow& row,
                const std::string& ingested, ValueSink& out);
// blackbox_crashes: TEXT columns hold valid UTF-8 (a name in its text form, any other text with
// U+FFFD).
void crash_values(const std::string& session_h, const postmortem::Crash& crash, ValueSink& out);

}  // namespace blackbox::store
