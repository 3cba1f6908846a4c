#pragma once

// The report files the user's own pytest command writes (--junitxml, pytest-json-report,
// pytest-html, pytest-csv, pytest-reportlog), across the attempts of a run. Each attempt is a new
// pytest session that writes them anew, and one that dies writes nothing: without this, the
// file at the user's path would hold only the last attempt's tests. So each attempt's file is
// kept in the run directory (reports/), and at the end the file at the user's path is made to
// hold every test of the run, crashes included; a report that cannot be merged is warned about
// (docs/commands/run.md, "Your own reports across restarts").

#include <ostream>
#include <string>
#include <vector>

#include <blackbox/base/directory.hpp>
#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::record {

// Copies into the run directory's reports/ each report file attempt `attempt` wrote: one whose
// state changed from what its session found (a file left from before is not this run's).
// Returns what could not be kept, one sentence each; never throws.
std::vector<std::string> keep_attempt_reports(const postmortem::RunModel& run, int attempt,
                                              const base::Directory& run_dir);

// Whether the user's reports need completing: pytest restarted, or its last session did not
// finish (it died, or was stopped): its own reports then miss tests.
bool reports_need_completing(const postmortem::RunModel& run);

// Once the run ended (the last attempt's files kept): writes each mergeable report at the user's
// path holding every test of the run, and says so on `out`; warns about the others. Never
// throws: what cannot be done is said.
void complete_user_reports(const postmortem::RunModel& run, const base::Directory& run_dir,
                           std::ostream& out);

}  // namespace blackbox::record
