#pragma once

// What the server's routes hand to a storage backend (backend.hpp): one chunk of a run pushed in
// pieces (docs/http-api.md gives its wire format, wire/run_upload.hpp reads it), and one metric
// of pytest-monitor's remote protocol. Rows of the tables of docs/formats/metrics-db.md, keyed by
// their run.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/postmortem/run_model.hpp>
#include <blackbox/store/execution_context_row.hpp>
#include <blackbox/store/metrics_row.hpp>
#include <blackbox/store/session_row.hpp>
#include <blackbox/store/test_row.hpp>

namespace blackbox::store {

// blackbox_runs beyond its keys (docs/formats/metrics-db.md).
struct RunRow {
    std::string run_id, run_dir;
    std::optional<std::string> started, ended;  // iso_utc
    double duration_s = 0;
    std::string command;  // JSON array of the argv
    std::string status;
    std::optional<std::int64_t> exit_code;
    std::int64_t attempts = 0;
    std::int64_t collected = 0, passed = 0, failed = 0, skipped = 0, xfailed = 0, xpassed = 0,
                 errors = 0, crashed = 0, not_run = 0;
    std::string context;                                      // JSON object: run.json's context
    std::string settings;                                     // JSON object: run_settings_json()
    std::optional<double> startup_s, collection_s, finish_s;  // postmortem::RunCourse
};

// The run's outcome counts into its row: the one mapping of the count columns, for the rows a
// run's writer stores and a push uploads alike.
void set_counts(RunRow& row, const postmortem::Counts& counts);

// The settings compare matches runs on, as the column holds them: a JSON object with `workers`
// always, `fsync` only when true and `shard` only when set, keys in that order, no spaces, so
// that equal settings are equal text.
std::string run_settings_json(const postmortem::RunSettings& settings);

// The run's settings and course into its row, for a run's writer and a push alike.
void set_settings_and_course(RunRow& row, const postmortem::RunModel& run);

struct UploadHead {
    ExecutionContextRow context;
    SessionRow session;
    RunRow run;
    std::vector<postmortem::Crash> crashes;  // the columns of blackbox_crashes only
};

// One chunk of a run. Every row has a key within its run, so writing a chunk again replaces the
// rows it wrote before.
struct RunUpload {
    std::string session_h, env_h;
    std::size_t chunk = 0, chunks = 1;  // this chunk's index and the run's number of chunks
    std::optional<UploadHead> head;
    std::vector<TestRow> tests;
    std::vector<MetricsRow> metrics;
};

// What one upload chunk wrote.
struct UploadCounts {
    std::size_t tests = 0, metrics = 0, crashes = 0;
};

// One metric as pytest-monitor's client posts it: a TEST_METRICS row of a known session and
// context.
struct MonitorMetric {
    std::string session_h, env_h;
    MetricsRow row;  // OUTCOME "passed" (its client sends only passing tests), no NODEID
};

}  // namespace blackbox::store
