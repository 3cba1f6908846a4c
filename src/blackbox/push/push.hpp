#pragma once

// The client of our ingest (`blackbox push`, `blackbox run --server`): a finished run sent to a
// `blackbox serve` as chunks (run_upload.hpp), then the run's report data (report_upload.hpp),
// the head last. The outcome is a value: a server
// that is down or refuses the run is a failed PushResult, never an exception, so it can never
// change a test run's exit status.

#include <chrono>
#include <cstddef>
#include <string>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::push {

// Chunks stay under this size: far below the server's default body limit (8 MiB).
inline constexpr std::size_t kChunkBytes = 1024 * 1024;

// The longest a push talks to the server, all its requests and retries together.
inline constexpr std::chrono::seconds kPushTimeout{60};

struct PushOptions {
    std::string url;    // http://HOST:PORT[/PREFIX] of the server
    std::string token;  // sent as "Authorization: Bearer TOKEN" when not empty
    std::size_t chunk_bytes = kChunkBytes;
    // Whether the run's HTML report data (its memory trail, every test) goes too, so that the
    // server shows the run's report. A server that refuses it (too large for its body limit, an
    // older server) does not fail the push.
    bool report = true;
    // The push's requests end within this, whatever the server does (an answer that never
    // comes, or never ends): then the push fails.
    std::chrono::milliseconds timeout = kPushTimeout;
};

struct PushResult {
    bool ok = false;
    std::string message;  // what went wrong, or a one-line summary
    std::size_t chunks = 0, tests = 0, metrics = 0, crashes = 0;
    bool report = false;      // the server stored the report
    std::string report_note;  // "report stored (… KiB)", or why not
};

// Sends `run`. A chunk that meets a connection failure or a 5xx is retried twice, within the
// timeout; any other answer but 201 stops the push, and so does an answer larger than the
// client's bound (http_client.hpp). Never throws: a run directory whose files cannot be read is
// a failed result too.
PushResult push_run(const postmortem::RunModel& run, const PushOptions& options) noexcept;

}  // namespace blackbox::push
