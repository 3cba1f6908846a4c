#pragma once

// One recorded session (one `blackbox run`, a `blackbox_runs` row) as compare, history and plan
// see it.

#include <cstdint>
#include <optional>
#include <string>

namespace blackbox::compare {

// Where a session's time went besides its tests (blackbox_runs' startup_s, collection_s and
// finish_s): empty when not recorded.
struct SessionCourse {
    std::optional<double> startup_s, collection_s, finish_s;
};

struct Session {
    std::string session_h;  // TEST_SESSIONS.SESSION_H, md5 hex
    std::string run_id;     // the run directory's name
    std::string env_h;      // the execution context (EXECUTION_CONTEXTS.ENV_H)
    std::string started;    // ISO 8601 UTC; sessions are ordered by it, then by run id
    // The run's settings as blackbox_runs.settings holds them (`{"workers":2}`): sessions are
    // compared only with sessions of equal settings.
    std::string settings = R"({"workers":0})";
    std::optional<std::int64_t> cpu_count;  // EXECUTION_CONTEXTS.CPU_COUNT of its machine
    SessionCourse course;
};

// When the session started, for people: "2026-11-22 08:55:54" (UTC, to the second).
std::string started_for_people(const Session& session);

// The settings for people: "serial", "2 xdist workers", "serial, fsync, shard 3".
std::string settings_for_people(const std::string& settings);

// The xdist workers of the settings (0: none, or unreadable settings).
std::size_t settings_workers(const std::string& settings);

// Settings as the column holds them, for a session recorded before the column existed: its
// number of xdist workers, the only setting that can be told from its tests.
std::string settings_of_workers(std::size_t workers);

}  // namespace blackbox::compare
