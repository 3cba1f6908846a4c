#pragma once

// What the after-test measures found across a run (the journal's `after_test` records): the
// tests that left each kind of resource behind, and what collecting garbage after each test
// freed. The post-mortem text, `show --json` and the reports present these; they compute nothing.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

// The order of the kinds, and their words (the journal's vocabulary: journal/test_result.hpp).
using journal::leftover_rank;
using journal::leftover_title;

// How much of a kind one test left, in words: "2: 7 -> /tmp/x" (the count, then the first new
// one's name when there is one).
std::string leftover_summary(const Leftover& left);

// One test that left some of a kind behind.
struct Leaker {
    std::size_t test = 0;            // index into RunModel::tests
    const Leftover* left = nullptr;  // points into that test's AfterTest
};

// The tests that left one kind behind, in the run's test order.
struct KindLeakers {
    std::string_view kind;
    std::vector<Leaker> tests;
};

// Every kind some test left behind, in `leftover_rank` order; empty when none did (or the run
// had no sentinels).
std::vector<KindLeakers> left_behind(const RunModel& run);

// The one test of `attempt` that was running at some instant of [from_ns, to_ns]
// (CLOCK_MONOTONIC: its setup had begun, its teardown had not ended; a crashed test until the
// end), to say which test started a process left running, whose start the kernel gives to the
// clock tick (10 ms); nullopt when none was, or when several were (tests shorter than a tick,
// or xdist workers side by side: which one started it cannot be told).
std::optional<std::size_t> test_running_at(const RunModel& run, int attempt, std::int64_t from_ns,
                                           std::int64_t to_ns);

// The sums of the garbage collections after each test (--blackbox-gc-after-each).
struct GcTotals {
    std::size_t tests = 0;
    std::int64_t freed_bytes = 0;
    std::int64_t objects = 0;
    double seconds = 0;
    std::optional<std::size_t> most;  // index into RunModel::tests: where it freed most
};

// nullopt when no test has the collection's figures.
std::optional<GcTotals> gc_totals(const RunModel& run);

}  // namespace blackbox::postmortem
