#pragma once

// One test's figures in one session (a `blackbox_tests` row), reduced to what is compared. A
// figure the recorder could not measure is empty, and is then not compared.

#include <cstdint>
#include <optional>
#include <string>

namespace blackbox::compare {

struct TestFigures {
    std::string nodeid;
    std::string outcome;                           // passed, failed, skipped, …, crashed
    std::optional<double> wall_s;                  // total_s: setup + call + teardown, seconds
    std::optional<double> cpu_s;                   // user_s + sys_s, seconds
    std::optional<std::int64_t> peak_rss_bytes;    // the test's process's peak resident memory
    std::optional<std::int64_t> rss_before_bytes;  // its process's resident memory at its start
    std::optional<std::int64_t> retained_bytes;    // memory kept after the test (may be negative)
    // The thread that ran the test: its CPU time (cpu_s counts every thread of the process), and
    // its time runnable but waiting for a processor. Empty without schedstats.
    std::optional<double> main_cpu_s, run_delay_s;

    bool passed() const { return outcome == "passed"; }

    // What the test added to its process at its highest: its peak over its start. Unlike the
    // peak itself it does not depend on what ran before in the same process (the interpreter,
    // imports, a module's fixtures, an earlier test's leak). Empty when either is unknown.
    std::optional<std::int64_t> added_bytes() const {
        if (!peak_rss_bytes || !rss_before_bytes) {
            return std::nullopt;
        }
        return *peak_rss_bytes - *rss_before_bytes;
    }
};

}  // namespace blackbox::compare
