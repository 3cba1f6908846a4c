#pragma once

// Which sessions a comparison puts side by side. By default: the newest session against the last
// N sessions before it that ran with the same settings (xdist workers, fsync, shard: what changes
// a test's figures on the same machine) on the same execution context (same ENV_H); when fewer
// than the rule's minimum of those share that context, against the last N with the same
// settings on any context, with a note saying so (CI runners often differ in host name, which
// is part of ENV_H; `require_same_context` refuses instead). Sessions with other settings are
// never a baseline. Explicitly: BASE (one session) against NEW (default: the newest), whatever
// their settings, with a note when they differ.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/compare/session.hpp>

namespace blackbox::compare {

struct Selection {
    std::optional<Session> now;      // empty when the database holds no session at all
    std::vector<Session> baseline;   // oldest first; empty when there is nothing to compare with
    bool same_context = true;        // whether every baseline session shares now's ENV_H
    bool same_settings = true;       // whether every baseline session shares now's settings
    std::size_t other_settings = 0;  // earlier sessions left out for their settings
    // For people, a clause that reads after "Nothing to compare: " or "Note: ": why the
    // baseline is what it is, or empty.
    std::string note;
};

// The session `selector` names among `sessions` (oldest first): "latest", "latest~N" (the Nth
// before the newest), a run id, a run directory's path (its last component is the run id), or a
// unique prefix of at least 4 hex digits of a SESSION_H. Throws blackbox::Error (exit status 2)
// when it names none or several.
const Session& resolve_session(const std::vector<Session>& sessions, std::string_view selector);

// The default selection described above; `last` >= 1; `min_sessions` is the rule's (a context
// with fewer is not enough to judge a test on).
Selection select_default(const std::vector<Session>& sessions, std::size_t last,
                         bool require_same_context, std::size_t min_sessions);

// BASE against NEW (the newest session when `now_selector` is empty). Throws blackbox::Error
// (exit status 2) when a selector names nothing or both name the same session.
Selection select_explicit(const std::vector<Session>& sessions, std::string_view base_selector,
                          std::string_view now_selector);

}  // namespace blackbox::compare
