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
#include <blackbox/store/upload.hpp>

namespace blackbox::wire {

// At most this many rows of each kind in one chunk, whatever their size.
inline constexpr std::size_t kMaxUploadRows = 100'000;

// The result of reading an upload: the upload, or the first problem found.
struct ParsedUpload {
    std::optional<store::RunUpload> upload;
    std::string error;
};

// Reads one chunk, checking every field's type and size. Never throws.
ParsedUpload parse_upload(const nlohmann::json& body);

// `run` as chunks of at most about `max_bytes` of JSON each (one row more than fits is never
// added, but a single row larger than `max_bytes` gets a chunk of its own); the head is last.
// Reads the run directory's collected files again (store::write_test_rows). Throws
// blackbox::Error when they cannot be read.
std::vector<std::string> upload_chunks(const postmortem::RunModel& run, std::size_t max_bytes);

}  // namespace blackbox::wire
