#pragma once

// When a change counts (docs/commands/compare.md, "The rule"). A test's figure moves between
// runs of unchanged code; by how much depends on the test (a test that waits 50 ms moves by a
// millisecond, one that computes for 50 ms by as much as the machine's load makes it) and is
// measured on its baseline: the robust spread of its figures. A metric regresses when it grew
// beyond the largest of
//   - `spread` × the baseline's spread: beyond what this test's own noise explains;
//   - the relative threshold × the baseline's median: the smallest change worth a failed job;
//   - the absolute floor: the measure's resolution on tiny figures (a 2 ms test taking 5 ms);
// and beyond the highest figure of the baseline by half that margin: a test whose recent runs
// already reached a figure (a test whose threads or allocator make it jump now and then) is not
// failed for reaching it once more. For wall time, beyond all that plus `contention` × the test's
// CPU time in the new run: a test that needs c seconds of a processor may wait for one (runnable
// while other processes hold the machine's processors) several c more, which is the machine's
// doing, not the test's; and a test that spends most of its time on a processor (its baseline
// CPU time at least half its wall time) may also lose `contention` scheduler slices however short
// it is (a sleeping test is woken at once, a running one waits for its turn). Where the scheduler
// measured the test's thread (its time runnable but waiting for a processor), the allowance is
// at least that wait plus its CPU time beyond the baseline's (comparison.cpp). Improvements are
// the same movement downwards from the median, without the allowance.

#include <cstddef>
#include <cstdint>

#include <blackbox/compare/baseline.hpp>
#include <blackbox/compare/metric.hpp>

namespace blackbox::compare {

struct Threshold {
    double relative = 0.25;  // a fraction of the baseline's median: 0.25 = 25%
    double absolute = 0.02;  // in the metric's unit: seconds, or bytes for memory
};

struct Thresholds {
    Threshold wall{0.25, 0.02};
    Threshold cpu{0.5, 0.05};
    Threshold memory{0.2, 10.0 * 1024 * 1024};
    double spread = 5;      // how many of the baseline's robust standard deviations
    double contention = 3;  // wall time allowed for waiting for a processor, × the CPU time
    double slice = 0.01;    // a scheduler slice, seconds: what a running test may lose at once
    // A test is judged against at least this many baseline sessions in which it passed: fewer
    // cannot tell its noise. An explicit BASE against NEW compares one session with another:
    // 1, the spread unknown (0).
    std::size_t min_sessions = 3;

    const Threshold& of(Metric metric) const;
};

// The smallest shrink of a metric that counts: the largest of the three bounds above.
double margin(const MetricBaseline& base, const Threshold& threshold, double spread);

// The smallest growth of a metric that counts, before any allowance: the margin, or more when
// the baseline's highest figure is within half a margin of it.
double growth_margin(const MetricBaseline& base, const Threshold& threshold, double spread);

}  // namespace blackbox::compare
