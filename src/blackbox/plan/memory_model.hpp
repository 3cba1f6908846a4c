#pragma once

// How much memory a shard needs when W xdist workers run it (docs/formats/plan.md, "The memory
// model"). A test's recorded peak is its whole process's resident memory (interpreter, imports
// and the test's own allocations), so W workers need at most the sum of the W largest peaks of
// the shard, reached when the W heaviest tests run at the same time, plus xdist's controller,
// which runs no test. One worker means no xdist: the largest peak alone. Tests in the heavy
// group run one at a time (`--dist loadgroup`), so they count once: the largest of them takes
// one worker's place. What the model leaves out: memory a worker keeps after a test (it is the
// next test's starting point, and thus inside that test's peak only if measured that way),
// children of tests, and the page cache.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace blackbox::plan {

struct MemoryModel {
    std::int64_t controller_bytes = 0;        // xdist's controller process, when W >= 2
    std::optional<std::int64_t> heavy_above;  // --isolate-heavy: a peak above it is heavy
    // The most workers ever asked about: smaller peaks than a shard's this many largest are
    // never counted, so they are not kept (a 100,000-test shard keeps a handful).
    std::size_t workers_max = static_cast<std::size_t>(-1);
};

// The peaks of one shard's tests, kept sorted so that adding a test and asking for the peak
// with W workers cost O(W).
class ShardMemory {
  public:
    explicit ShardMemory(const MemoryModel& model) : model_(model) {}

    // Adds a test's peak (tests without a known peak are not added: they are not counted).
    // `workers` arguments below must not exceed the model's workers_max.
    void add(std::int64_t peak_bytes);

    // The expected peak of the shard run by `workers` (>= 1) processes.
    std::int64_t peak_with(std::size_t workers) const;

    // The same, as if `peak_bytes` were added too.
    std::int64_t peak_with_added(std::size_t workers, std::int64_t peak_bytes) const;

    bool is_heavy(std::int64_t peak_bytes) const {
        return model_.heavy_above && peak_bytes > *model_.heavy_above;
    }

  private:
    const MemoryModel& model_;
    std::vector<std::int64_t> light_;  // descending
    std::vector<std::int64_t> heavy_;  // descending
};

// The most workers, at most `workers_max` and at least 1, whose expected peak fits in `budget`;
// nullopt when even one worker does not.
std::optional<std::size_t> workers_within(const ShardMemory& shard, std::int64_t budget,
                                          std::size_t workers_max);

}  // namespace blackbox::plan
