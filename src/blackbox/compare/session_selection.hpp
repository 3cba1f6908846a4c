#pragma once

// Which sessions a comparison puts side by side. By default: the newest session against the last
// N sessions before it on the same execution context (same ENV_H); when no earlier session shares
// that context, against the last N before it on any context, with a note saying so (CI runners
// often differ in host name, which is part of ENV_H; `require_same_context` refuses instead).
// Explicitly: BASE (one session) against NEW (default: the newest).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/compare/session.hpp>

namespace blackbox::compare {

struct Selection {
    std::optional<Session> now;     // empty when the database holds no session at all
    std::vector<Session> baseline;  // oldest first; empty when there is nothing to compare with
    bool same_context = true;       // whether every baseline session shares now's ENV_H
    std::string note;               // for people: why the baseline is what it is, or empty
};

// The session `selector` names among `sessions` (oldest first): "latest", "latest~N" (the Nth
// before the newest), a run id, a run directory's path (its last component is the run id), or a
// unique prefix of at least 4 hex digits of a SESSION_H. Throws blackbox::Error (exit status 2)
// when it names none or several.
const Session& resolve_session(const std::vector<Session>& sessions, std::string_view selector);

// The default selection described above; `last` >= 1.
Selection select_default(const std::vector<Session>& sessions, std::size_t last,
                         bool require_same_context);

// BASE against NEW (the newest session when `now_selector` is empty). Throws blackbox::Error
// (exit status 2) when a selector names nothing or both name the same session.
Selection select_explicit(const std::vector<Session>& sessions, std::string_view base_selector,
                          std::string_view now_selector);

}  // namespace blackbox::compare
