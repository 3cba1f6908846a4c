#pragma once

// The JSON report (`--json FILE`, docs/formats/report-json.md): the run, its crashes and memory,
// and one object per test with its outcome, phase durations and resource figures. A view of
// the RunModel, written test by test so a 100,000-test run never sits whole in memory twice.

#include <filesystem>
#include <ostream>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::report {

void write_json_report(const postmortem::RunModel& run, std::ostream& out);

// Writes to a temporary file beside `path` and renames it. Throws blackbox::Error.
void write_json_report_file(const postmortem::RunModel& run, const std::filesystem::path& path);

}  // namespace blackbox::report
