#pragma once

// A plan: the suite split into shards, each with the xdist workers its memory allows
// (docs/formats/plan.md). Made by `make_plan`, written by `plan_json`, read by the plugin.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/plan/test_cost.hpp>

namespace blackbox::plan {

// pytest-split's two documented algorithms.
enum class Algorithm {
    least_duration,         // longest first, each to the shard with the least duration so far
    duration_based_chunks,  // the suite's order cut into runs of about total / N each
};

struct PlanRequest {
    std::size_t shards = 1;  // >= 1
    Algorithm algorithm = Algorithm::least_duration;
    std::optional<std::int64_t> memory_budget;  // bytes a shard may use; none: no constraint
    std::size_t workers_max = 4;                // >= 1
    std::optional<std::int64_t> heavy_above;    // --isolate-heavy's threshold, bytes
    // What a shard run by W workers pays besides its tests (overhead.hpp), at index W; a worker
    // count beyond the vector pays nothing.
    std::vector<double> overhead_s;

    double overhead_with(std::size_t workers) const {
        return workers < overhead_s.size() ? overhead_s[workers] : 0;
    }
};

struct Shard {
    std::vector<std::string> tests;  // node ids, in the order of the suite given to make_plan
    std::vector<std::string> heavy;  // those of `tests` in the heavy group, same order
    double duration_s = 0;           // the sum of the tests' (or the average) durations
    std::size_t workers = 1;         // xdist workers that fit in the budget (workers_max without)
    std::int64_t peak_bytes = 0;     // the memory model's peak with `workers`
    bool within_budget = true;       // false when even one worker exceeds the budget
    double heavy_duration_s = 0;     // the heavy group's duration: one worker runs it all
    double overhead_s = 0;           // start-up, collection and finish with `workers`
    // The overhead, then duration / workers, but never less than the heavy group, run on one
    // worker.
    double expected_wall_s() const;
};

struct Plan {
    PlanRequest request;
    std::vector<Shard> shards;
    double average_duration_s = 0;      // given to tests without history (0 when none has one)
    std::int64_t controller_bytes = 0;  // the memory model's xdist controller
    std::size_t tests_measured = 0;     // tests with a duration
    std::size_t tests_without_history = 0;
    // Whether the memory budget was kept while balancing (false: some test alone exceeds it,
    // and the split fell back to duration alone).
    bool memory_kept = true;
};

// Splits `suite` (in its order: duration_based_chunks keeps it, each shard lists its tests in
// it). Tests without a duration take the average of the others (as pytest-split does); tests
// without a peak are not counted in the memory model. Never fails: an impossible budget gives
// shards with within_budget false.
Plan make_plan(const std::vector<TestCost>& suite, const PlanRequest& request);

}  // namespace blackbox::plan
