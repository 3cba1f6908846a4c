#pragma once

// What a shard's job pays besides its tests: the command's start-up (the interpreter, imports,
// plugins; under xdist the workers' start too), the collection of the whole suite (every shard
// collects it all, then keeps its own), and the finish (fixtures' teardown, the session's end).
// The figures are the medians over the sessions of the history that ran with the same workers
// as the shard will (one worker is pytest without xdist, a session without workers); when none
// did, over those whose workers are the nearest (the more workers among equals).

#include <cstddef>
#include <vector>

#include <blackbox/plan/suite_history.hpp>

namespace blackbox::plan {

struct Overhead {
    double startup_s = 0, collection_s = 0, finish_s = 0;  // medians (0 when none recorded)
    std::size_t sessions = 0;                              // how many sessions they are over
    std::size_t from_workers = 0;  // the xdist workers of those sessions (0: none)

    double total_s() const { return startup_s + collection_s + finish_s; }
};

// The overhead of a shard run by `workers` (>= 1; 1: without xdist) from `sessions`.
Overhead overhead_for(const std::vector<SessionCost>& sessions, std::size_t workers);

}  // namespace blackbox::plan
