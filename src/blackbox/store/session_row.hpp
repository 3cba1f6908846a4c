#pragma once

// pytest-monitor's TEST_SESSIONS row (docs/formats/metrics-db.md) of one run: all its attempts.

#include <string>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::store {

struct SessionRow {
    std::string session_h;        // md5 over run id, run date and description, joined by '\n'
    std::string run_id;           // the run directory's id (its name when run.json has none)
    std::string run_date;         // iso_utc of the run's start; "" when no file dates it
    std::string scm_id;           // the git commit, "" outside a repository
    std::string run_description;  // JSON: {"description": …, tag: value, …, CI fields}
};

// The run's session row. Stable: the same run directory always gives the same SESSION_H, so
// ingesting it again replaces its rows.
SessionRow session_row(const postmortem::RunModel& run);

// The run's start as a wall time in seconds, when a file dates it.
std::optional<double> run_start_wall(const postmortem::RunModel& run);

}  // namespace blackbox::store
