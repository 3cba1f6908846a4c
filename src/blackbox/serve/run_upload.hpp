#pragma once

// Our ingest's wire format (docs/http-api.md): a finished run as JSON chunks, each under the
// server's body limit. Every chunk names its run (SESSION_H) and carries tests' and metrics
// rows; the head chunk (sent last, so a run is listed only once whole) adds the context, the
// session, the run's summary and its crashes. Every row has a key within its run, so sending a
// chunk again replaces rows instead of adding them: a push is idempotent.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/postmortem/run_model.hpp>
#include <blackbox/store/execution_context_row.hpp>
#include <blackbox/store/metrics_row.hpp>
#include <blackbox/store/session_row.hpp>
#include <blackbox/store/test_row.hpp>

namespace blackbox::serve {

// At most this many rows of each kind in one chunk, whatever their size.
inline constexpr std::size_t kMaxUploadRows = 100'000;

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
    std::string context;  // JSON object: run.json's context
};

struct UploadHead {
    store::ExecutionContextRow context;
    store::SessionRow session;
    RunRow run;
    std::vector<postmortem::Crash> crashes;  // the columns of blackbox_crashes only
};

struct RunUpload {
    std::string session_h, env_h;
    std::size_t chunk = 0, chunks = 1;  // this chunk's index and the run's number of chunks
    std::optional<UploadHead> head;
    std::vector<store::TestRow> tests;
    std::vector<store::MetricsRow> metrics;
};

// The result of reading an upload: the upload, or the first problem found.
struct ParsedUpload {
    std::optional<RunUpload> upload;
    std::string error;
};

// Reads one chunk, checking every field's type and size. Never throws.
ParsedUpload parse_upload(const nlohmann::json& body);

// `run` as chunks of at most about `max_bytes` of JSON each (one row more than fits is never
// added, but a single row larger than `max_bytes` gets a chunk of its own); the head is last.
// Reads the run directory's collected files again (store::write_test_rows). Throws
// blackbox::Error when they cannot be read.
std::vector<std::string> upload_chunks(const postmortem::RunModel& run, std::size_t max_bytes);

}  // namespace blackbox::serve
