#pragma once

// The suite as the metrics database remembers it: every test of the last N sessions, with its
// median duration over the sessions in which it passed (compare's baseline, so `plan` and
// `compare` agree on what a test normally costs) and its median peak memory there; and what each
// session paid besides its tests (start-up, collection, finish), with its workers and the CPU
// count of the machine that ran it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/compare/metrics_source.hpp>
#include <blackbox/plan/test_cost.hpp>

namespace blackbox::plan {

// One session of the history, as the plan's overhead sees it.
struct SessionCost {
    std::size_t workers = 0;  // xdist workers (0: none)
    compare::SessionCourse course;
    std::optional<std::int64_t> cpu_count;
};

struct SuiteHistory {
    std::vector<TestCost> tests;        // sorted by node id; each test once
    std::vector<std::string> run_ids;   // the sessions read, oldest first
    std::vector<SessionCost> sessions;  // the same sessions, in the same order
    // The smallest CPU count among the machines that ran them (a plan must suit every runner);
    // empty when none recorded it.
    std::optional<std::int64_t> cpu_count;
};

// Reads the last `last` sessions of `source` (all of them when `last` is 0). A test that ran in
// one of them but never passed has no figures (TestCost's optionals are empty). Errors of the
// source (blackbox::Error) pass through.
SuiteHistory load_suite_history(compare::MetricsSource& source, std::size_t last);

}  // namespace blackbox::plan
