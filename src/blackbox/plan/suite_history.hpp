#pragma once

// The suite as the metrics database remembers it: every test of the last N sessions, with its
// median duration and peak memory over the sessions in which it passed (compare's baseline, so
// `plan` and `compare` agree on what a test normally costs).

#include <cstddef>
#include <string>
#include <vector>

#include <blackbox/compare/metrics_source.hpp>
#include <blackbox/plan/test_cost.hpp>

namespace blackbox::plan {

struct SuiteHistory {
    std::vector<TestCost> tests;       // sorted by node id; each test once
    std::vector<std::string> run_ids;  // the sessions read, oldest first
};

// Reads the last `last` sessions of `source` (all of them when `last` is 0). A test that ran in
// one of them but never passed has no figures (TestCost's optionals are empty). Errors of the
// source (blackbox::Error) pass through.
SuiteHistory load_suite_history(compare::MetricsSource& source, std::size_t last);

}  // namespace blackbox::plan
