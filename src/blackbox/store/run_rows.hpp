#pragma once

// The rows of a run's tests (docs/formats/metrics-db.md): a blackbox_tests row for every test
// that ran and the TEST_METRICS rows of its monitored tests and scopes, made once for every
// destination (the local database, a `blackbox serve` upload).

#include <cstddef>

#include <blackbox/postmortem/run_model.hpp>
#include <blackbox/store/metrics_row.hpp>
#include <blackbox/store/test_row.hpp>

namespace blackbox::store {

// Where the rows go. Its methods may throw (the caller's transaction then rolls back).
class RowSink {
  public:
    virtual ~RowSink() = default;
    virtual void write_test(const TestRow& row) = 0;
    virtual void write_metrics(const MetricsRow& row) = 0;
};

// How many rows were written.
struct RowCounts {
    std::size_t tests = 0;    // blackbox_tests rows
    std::size_t metrics = 0;  // TEST_METRICS rows
};

// Writes the rows of `run`'s tests in collection order (their locations read again from the run
// directory's collected files), then its scopes' TEST_METRICS rows, into `sink`.
RowCounts write_test_rows(const postmortem::RunModel& run, RowSink& sink);

}  // namespace blackbox::store
