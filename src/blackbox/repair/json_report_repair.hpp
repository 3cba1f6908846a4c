#pragma once

// Adds crashed tests to a pytest-json-report file (numirias/pytest-json-report's format:
// created, duration, exitcode, root, environment, summary, collectors, tests).

#include <optional>
#include <string>
#include <vector>

#include <blackbox/repair/crash_entry.hpp>
#include <blackbox/repair/patch.hpp>
#include <blackbox/repair/repair_context.hpp>

namespace blackbox::repair {

// For each crash, in order:
// - no test with its node id: a test is appended whose crashed stage failed with the crash as
//   `longrepr` (a call crash: setup passed, call failed, teardown skipped, as pytest-abort
//   writes it; a setup or teardown crash: that stage failed, outcome "error"); the summary
//   gains one `failed` (or `error`) and one `total`, `collected` never falls below `total`,
//   and an exit code of 0 or 5 becomes 1;
// - a test that already failed or errored: left alone (so a second run changes nothing);
// - a test that did not fail (e.g. its call passed, then it died in teardown): its crashed
//   stage is marked failed (an unknown phase: the first stage it lacks, else teardown) and
//   the summary moves it from its old outcome to the new one.
// `existing` nullopt (no file) creates a minimal report holding only the crashed tests. Text
// that is not a JSON object with a `tests` list (when present) gives Patch::error.
Patch repair_json_report(const std::optional<std::string>& existing,
                         const std::vector<CrashEntry>& crashes, const RepairContext& context);

}  // namespace blackbox::repair
