#pragma once

// Our blackbox_tests row (docs/formats/metrics-db.md): every test that ran, whatever its
// outcome and whether or not pytest-monitor's markers monitor it.

#include <optional>
#include <string>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::store {

struct TestRow {
    std::string nodeid;
    std::string outcome;
    std::optional<std::string> worker;
    int attempt = 1;
    std::optional<std::string> start;                            // iso_utc of the setup's start
    std::optional<double> setup_s, call_s, teardown_s, total_s;  // null: the phase did not end
    std::optional<double> user_s, sys_s;
    std::optional<std::int64_t> peak_rss_bytes;
    bool peak_exact = false;  // the high-water mark was reset for the test (else sampled)
    std::optional<std::int64_t> peak_tree_rss_bytes;
    std::optional<std::int64_t> rss_before_bytes, rss_after_bytes, retained_bytes;
    bool monitored = true;
    // The thread that ran the test: its time on a processor, and waiting for one.
    std::optional<double> main_cpu_s, run_delay_s;
    std::int64_t reruns = 0;  // the tries pytest-rerunfailures ran before the last one
};

// The node id a row stores for a test of pytest session `session` (0-based): the node id of the
// first session's tests, "<node id> (session 2)" of a later session's, so that a command that
// ran pytest more than once keeps each session's row of a node id (the table's key is the run
// and the node id); and, for a worker's entry of a `--dist each` session (`each_worker`), its
// worker after it, "<node id> [gw1]", so that every worker's row is kept.
std::string stored_nodeid(std::string nodeid, int session,
                          const std::optional<std::string>& each_worker = std::nullopt);

// The same for a test's entry, and for a crash (the name of its test's row).
std::string stored_nodeid(const postmortem::TestResult& test);
std::string stored_nodeid(const postmortem::Crash& crash);

// The row of a test that ran (not `not_run`); `start` as test_start_text gives it.
TestRow test_row(const postmortem::TestResult& test, bool monitored,
                 const std::optional<std::string>& start);

}  // namespace blackbox::store
