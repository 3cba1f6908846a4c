#pragma once

// What the run's journals say of one test that did not crash, for a report whose writer never
// wrote it: the attempt that ran it died (its pytest wrote no report), or it was never run.
// The merge of a user's reports over a run's attempts (run_report_merge.hpp) adds it in each
// format's words.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::repair {

struct TestEntry {
    std::string nodeid;
    // pytest's words: "passed", "failed", "error" (setup or teardown failed), "skipped",
    // "xfailed", "xpassed"; and "not_run": never run, or interrupted (`message` says which).
    std::string outcome;
    double duration_s = 0;  // setup + call + teardown
    std::optional<double> setup_s, call_s, teardown_s;
    std::string failed_phase;             // "setup", "call" or "teardown" for failed and error
    std::optional<std::string> longrepr;  // the failure text, or the skip's
    std::string message;                  // one line: the failure's, the skip reason as pytest
                                          // gives it ("Skipped: …"), the xfail reason,
                                          // "not run: …" or "interrupted: …"
    nlohmann::json properties;            // record_property's [[name, value], …], or null
    std::vector<std::pair<std::string, std::string>> sections;  // captured output
};

// Every test of the run that did not crash, in collection order (crashes are CrashEntry's).
std::vector<TestEntry> test_entries_of_run(const postmortem::RunModel& run);

// A skip's reason without pytest's "Skipped: " prefix, as its junitxml writes it.
std::string_view skip_reason(std::string_view message);

// The line pytest shows for a failure: the first "E   " line of its text, else `fallback`.
std::string failure_line(const std::optional<std::string>& longrepr, std::string_view fallback);

}  // namespace blackbox::repair
