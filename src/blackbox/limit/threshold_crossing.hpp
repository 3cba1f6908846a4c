#pragma once

// The moment memory use rises to the dump threshold (by default 90% of the limit): the caller
// then has the test process dump its Python stack (faulthandler) before the limit kills it. A
// task stopped at a v1 limit sleeps in the kernel and runs no signal handler, so the dump has to
// happen before the limit, not at it (docs/memory-limits.md).

#include <cstdint>
#include <functional>

namespace blackbox::limit {

struct ThresholdCrossing {
    std::int64_t ns = 0;                // CLOCK_MONOTONIC when it was noticed
    std::uint64_t usage_bytes = 0;      // the usage then: the cgroup's, or the tree's sampled RSS
    std::uint64_t threshold_bytes = 0;  // the threshold crossed
    bool operator==(const ThresholdCrossing&) const = default;
};

// Called once per rise to the threshold (not again until usage has fallen below it). Runs on
// the notifier's thread or the sampler's, must return promptly, and must not throw (an exception
// stops the notifications).
using ThresholdCallback = std::function<void(const ThresholdCrossing&)>;

// Turns a stream of usage figures into rises: true once each time `usage` reaches `threshold`
// after being below it (the first figure counts as coming from below). Not thread-safe.
class CrossingDetector {
  public:
    explicit CrossingDetector(std::uint64_t threshold) noexcept : threshold_(threshold) {}

    bool rises(std::uint64_t usage) noexcept {
        const bool above = usage >= threshold_;
        const bool rose = above && !above_;
        above_ = above;
        return rose;
    }

    std::uint64_t threshold() const noexcept { return threshold_; }

  private:
    std::uint64_t threshold_;
    bool above_ = false;
};

}  // namespace blackbox::limit
