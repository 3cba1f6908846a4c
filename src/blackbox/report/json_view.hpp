#pragma once

// The post-mortem as JSON: what `blackbox show --json` prints and postmortem.json holds
// (docs/commands/show.md).

#include <nlohmann/json.hpp>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::report {

nlohmann::json counts_to_json(const postmortem::Counts& counts);

nlohmann::json crash_to_json(const postmortem::Crash& crash, const postmortem::RunModel& run);

// A test the user's stop caught running: {"nodeid", "phase", "reason", "signal", "worker",
// "attempt", "description"}, and "session" when the run had more than one.
nlohmann::json interruption_to_json(const postmortem::Interruption& interruption,
                                    const postmortem::RunModel& run);

// Names the pytest session (`"session": 2`, 1-based) of a test, crash, interruption or
// collection error in `object`, when the run had more than one: a run of one session keeps
// the shape it always had.
void put_session(nlohmann::json& object, const postmortem::RunModel& run, int session);

nlohmann::json postmortem_json(const postmortem::RunModel& run);

// What gc after each test freed (gc_totals), the most-freeing test by node id; null without it.
nlohmann::json gc_to_json(const postmortem::RunModel& run);

// What a test left of one kind, as JSON: {"count": 2, "names": ["7 -> /tmp/x", …]}.
nlohmann::json leftover_json(const postmortem::Leftover& left);

}  // namespace blackbox::report
