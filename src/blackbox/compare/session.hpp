#pragma once

// One recorded session (one `blackbox run`, a `blackbox_runs` row) as compare and history see it.

#include <string>

namespace blackbox::compare {

struct Session {
    std::string session_h;  // TEST_SESSIONS.SESSION_H, md5 hex
    std::string run_id;     // the run directory's name
    std::string env_h;      // the execution context (EXECUTION_CONTEXTS.ENV_H)
    std::string started;    // ISO 8601 UTC; sessions are ordered by it, then by run id
};

// When the session started, for people: "2026-11-22 08:55:54" (UTC, to the second).
std::string started_for_people(const Session& session);

}  // namespace blackbox::compare
