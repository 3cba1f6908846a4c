#pragma once

// What one crashed test says, from either source: a pytest-abort crashed-tests log line, or a
// crash of a blackbox run directory. The report repairs turn it into each format's entry.

#include <optional>
#include <string>
#include <string_view>

namespace blackbox::repair {

struct CrashEntry {
    std::string nodeid;                     // pytest's node id, trimmed, never empty
    std::optional<std::string> phase;       // "setup", "call", "teardown", "collect", "session";
                                            // absent when the source does not say (the log)
    std::optional<std::string> cause;       // "segfault", "abort", "oom", … (run directory)
    std::optional<std::string> signal;      // "SIGSEGV", …
    std::optional<std::string> evidence;    // how the cause was established
    std::optional<std::string> reason;      // pytest-abort's reason text
    std::optional<std::string> traceback;   // faulthandler's Python stack
    std::optional<double> duration_s;       // how long the test ran before it died
    std::optional<std::string> crash_time;  // as the source wrote it (pytest-abort: local ISO)
    std::optional<std::string> gpu_id;      // pytest-abort's HIP_VISIBLE_DEVICES
    std::optional<std::string> worker;      // xdist worker id, or pytest-abort's `source`
    std::optional<std::string> test_class;  // pytest-abort's test_class
    std::optional<long> pid;
    bool collateral = false;  // an xdist worker killed because the main process died
};

// The phase whose pytest report the crash stands for: "setup", "call" or "teardown". A crash
// without a phase is taken as the call (as pytest-abort does); a collection crash as setup.
std::string_view reported_phase(const CrashEntry& crash);

// pytest's word for the crashed test: "failed" when the call crashed, "error" otherwise (a
// failure in setup or teardown is an error for pytest, pytest-json-report and pytest-csv).
std::string_view crash_outcome(const CrashEntry& crash);

// One line: "crashed in call: segfault (SIGSEGV)", "crashed: <reason>", or "crashed".
std::string crash_message(const CrashEntry& crash);

// Several lines for a report's failure text: the message, each known fact ("signal: SIGSEGV"),
// then the traceback. Untrusted text, to be escaped by each format.
std::string crash_details(const CrashEntry& crash);

// The crash of a test the report shows as finished without failure (its call passed): a
// crash without a known phase must then have come in teardown, after pytest reported the call
// (pytest-abort's marker lives until teardown ends). A crash with a phase is returned as is.
CrashEntry after_reported_call(const CrashEntry& crash);

// Seconds as pytest-json-report and JUnit write them: the crash's duration, or 0.
double crash_duration(const CrashEntry& crash);

}  // namespace blackbox::repair
