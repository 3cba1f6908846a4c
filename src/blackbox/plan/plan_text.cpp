#include <fmt/format.h>

#include <blackbox/base/memory_size.hpp>
#include <blackbox/plan/plan_text.hpp>

namespace blackbox::plan {

namespace {

std::string size(std::int64_t bytes) {
    return base::format_size(static_cast<std::uint64_t>(std::max<std::int64_t>(bytes, 0)));
}

}  // namespace

std::string plan_text(const Plan& plan) {
    std::string text =
        fmt::format("{:>5}  {:>6}  {:>10}  {:>7}  {:>9}  {:>10}  {:>11}  {}\n", "shard", "tests",
                    "duration", "workers", "overhead", "wall", "peak", "heavy");
    double shortest = 0, longest = 0;
    for (std::size_t k = 0; k < plan.shards.size(); ++k) {
        const auto& shard = plan.shards[k];
        auto wall = shard.expected_wall_s();
        shortest = k == 0 ? wall : std::min(shortest, wall);
        longest = std::max(longest, wall);
        text += fmt::format("{:>5}  {:>6}  {:>9.2f}s  {:>7}  {:>8.2f}s  {:>9.2f}s  {:>11}  {}{}\n",
                            k + 1, shard.tests.size(), shard.duration_s, shard.workers,
                            shard.overhead_s, wall, size(shard.peak_bytes), shard.heavy.size(),
                            shard.within_budget ? "" : "  over the budget even with 1 worker");
    }
    text += fmt::format("{} tests with history, {} without (given the average, {:.3f}s)",
                        plan.tests_measured, plan.tests_without_history, plan.average_duration_s);
    if (plan.request.memory_budget) {
        text += fmt::format("; budget {} a shard", size(*plan.request.memory_budget));
        if (!plan.memory_kept) {
            text += " (some test alone exceeds it: split by duration alone)";
        }
    }
    return text + "\n";
}

}  // namespace blackbox::plan
