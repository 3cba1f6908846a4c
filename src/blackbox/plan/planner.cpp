// make_plan: pytest-split's algorithms, with the memory budget as a constraint on where a test
// may go (docs/commands/plan.md).

#include <algorithm>
#include <numeric>

#include <blackbox/plan/memory_model.hpp>
#include <blackbox/plan/plan.hpp>

namespace blackbox::plan {

namespace {

constexpr std::size_t kNoShard = static_cast<std::size_t>(-1);

struct Entry {
    double duration_s = 0;
    std::optional<std::int64_t> peak_bytes;
};

// pytest-split's duration_based_chunks: in the suite's order, a shard takes tests until it
// reaches total / N, then the next shard starts.
std::vector<std::size_t> chunks(const std::vector<Entry>& entries, std::size_t shards) {
    double total = 0;
    for (const auto& entry : entries) {
        total += entry.duration_s;
    }
    double per_shard = total / static_cast<double>(shards);
    std::vector<std::size_t> assignment(entries.size());
    std::size_t shard = 0;
    double filled = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (filled >= per_shard && shard + 1 < shards) {
            ++shard;
            filled = 0;
        }
        assignment[i] = shard;
        filled += entries[i].duration_s;
    }
    return assignment;
}

// pytest-split's least_duration, in `order` (longest first): each test to the shard with the
// least duration so far (the lowest index among equals). With `workers` (one count per shard),
// each test to the shard with the least expected wall time so far (its overhead with its
// workers, then duration over its workers), among those whose expected peak with their workers
// stays within `budget`; empty when a test fits in none. The same count for every shard orders
// shards as duration alone does.
std::optional<std::vector<std::size_t>> least_duration(const std::vector<Entry>& entries,
                                                       const std::vector<std::size_t>& order,
                                                       const PlanRequest& request,
                                                       const MemoryModel& model,
                                                       const std::vector<std::size_t>* workers,
                                                       std::int64_t budget) {
    const auto shards = request.shards;
    std::vector<std::size_t> assignment(entries.size(), kNoShard);
    std::vector<double> loads(shards, 0);  // the overhead, then duration over workers
    if (workers) {
        for (std::size_t shard = 0; shard < shards; ++shard) {
            loads[shard] = request.overhead_with((*workers)[shard]);
        }
    }
    std::vector<ShardMemory> memory(shards, ShardMemory(model));
    for (auto i : order) {
        const auto& entry = entries[i];
        std::size_t best = kNoShard;
        for (std::size_t shard = 0; shard < shards; ++shard) {
            bool fits =
                !workers || !entry.peak_bytes ||
                memory[shard].peak_with_added((*workers)[shard], *entry.peak_bytes) <= budget;
            if (fits && (best == kNoShard || loads[shard] < loads[best])) {
                best = shard;
            }
        }
        if (best == kNoShard) {
            return std::nullopt;
        }
        assignment[i] = best;
        loads[best] += entry.duration_s / static_cast<double>(workers ? (*workers)[best] : 1);
        if (entry.peak_bytes) {
            memory[best].add(*entry.peak_bytes);
        }
    }
    return assignment;
}

// The workers per shard to try under a budget: the same count for every shard, from the most
// down (pytest-split's balance, kept within the budget), and every split into `low` workers for
// the first k shards and `high` for the rest, so that a few shards can take the heaviest tests
// with few workers while the others run with many.
std::vector<std::vector<std::size_t>> worker_layouts(std::size_t shards, std::size_t workers_max) {
    std::vector<std::vector<std::size_t>> layouts;
    for (auto workers = workers_max; workers >= 1; --workers) {
        layouts.emplace_back(shards, workers);
    }
    for (std::size_t low = 1; low < workers_max; ++low) {
        for (auto high = low + 1; high <= workers_max; ++high) {
            for (std::size_t k = 1; k < shards; ++k) {
                std::vector<std::size_t> layout(shards, high);
                std::fill_n(layout.begin(), k, low);
                layouts.push_back(std::move(layout));
            }
        }
    }
    return layouts;
}

// The shards of `assignment`, each with the most workers its own tests allow.
std::vector<Shard> make_shards(const std::vector<TestCost>& suite,
                               const std::vector<Entry>& entries,
                               const std::vector<std::size_t>& assignment,
                               const PlanRequest& request, const MemoryModel& model) {
    std::vector<Shard> shards(request.shards);
    std::vector<ShardMemory> memory(shards.size(), ShardMemory(model));
    for (std::size_t i = 0; i < suite.size(); ++i) {
        auto& shard = shards[assignment[i]];
        shard.tests.push_back(suite[i].nodeid);
        shard.duration_s += entries[i].duration_s;
        if (auto peak = suite[i].peak_bytes) {
            memory[assignment[i]].add(*peak);
            if (memory[assignment[i]].is_heavy(*peak)) {
                shard.heavy.push_back(suite[i].nodeid);
                shard.heavy_duration_s += entries[i].duration_s;
            }
        }
    }
    for (std::size_t k = 0; k < shards.size(); ++k) {
        auto& shard = shards[k];
        auto most = std::min(request.workers_max, std::max<std::size_t>(shard.tests.size(), 1));
        if (request.memory_budget) {
            auto fit = workers_within(memory[k], *request.memory_budget, most);
            most = fit.value_or(1);
            shard.within_budget = fit.has_value();
        }
        // Of the worker counts that fit, the one expected to end first: more workers share the
        // tests but may cost more to start (xdist's workers each start and collect). Among
        // equals, the most workers.
        auto wall_with = [&](std::size_t workers) {
            return request.overhead_with(workers) +
                   std::max(shard.duration_s / static_cast<double>(workers),
                            shard.heavy_duration_s);
        };
        shard.workers = most;
        for (auto workers = most - 1; workers >= 1; --workers) {
            if (wall_with(workers) < wall_with(shard.workers)) {
                shard.workers = workers;
            }
        }
        shard.peak_bytes = memory[k].peak_with(shard.workers);
        shard.overhead_s = request.overhead_with(shard.workers);
    }
    return shards;
}

double longest_wall_s(const std::vector<Shard>& shards) {
    double longest = 0;
    for (const auto& shard : shards) {
        longest = std::max(longest, shard.expected_wall_s());
    }
    return longest;
}

}  // namespace

double Shard::expected_wall_s() const {
    return overhead_s +
           std::max(duration_s / static_cast<double>(std::max<std::size_t>(workers, 1)),
                    heavy_duration_s);
}

Plan make_plan(const std::vector<TestCost>& suite, const PlanRequest& request) {
    Plan plan;
    plan.request = request;
    plan.request.shards = std::max<std::size_t>(request.shards, 1);
    plan.request.workers_max = std::max<std::size_t>(request.workers_max, 1);
    const auto shards = plan.request.shards;

    double known = 0;
    std::optional<std::int64_t> smallest_peak;
    for (const auto& test : suite) {
        if (test.duration_s) {
            known += *test.duration_s;
            ++plan.tests_measured;
        }
        if (test.peak_bytes && (!smallest_peak || *test.peak_bytes < *smallest_peak)) {
            smallest_peak = test.peak_bytes;
        }
    }
    plan.tests_without_history = suite.size() - plan.tests_measured;
    plan.average_duration_s =
        plan.tests_measured == 0 ? 0 : known / static_cast<double>(plan.tests_measured);
    // The controller collects the suite and runs no test: about what the lightest test's
    // process holds.
    plan.controller_bytes = smallest_peak.value_or(0);
    MemoryModel model{plan.controller_bytes, request.heavy_above, plan.request.workers_max};

    std::vector<Entry> entries;
    entries.reserve(suite.size());
    for (const auto& test : suite) {
        entries.push_back({test.duration_s.value_or(plan.average_duration_s), test.peak_bytes});
    }

    auto build = [&](const std::vector<std::size_t>& assignment) {
        return make_shards(suite, entries, assignment, plan.request, model);
    };
    if (request.algorithm == Algorithm::duration_based_chunks) {
        plan.shards = build(chunks(entries, shards));
        return plan;
    }
    // As pytest-split: by name first, so that equal durations always go the same way.
    std::vector<std::size_t> order(suite.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](auto a, auto b) { return suite[a].nodeid < suite[b].nodeid; });
    std::stable_sort(order.begin(), order.end(),
                     [&](auto a, auto b) { return entries[a].duration_s > entries[b].duration_s; });
    if (request.memory_budget) {
        // Of the layouts that keep every test within the budget, the one whose longest shard
        // is expected to end first (the first of equals: uniform layouts come first).
        std::optional<double> best_wall;
        for (const auto& layout : worker_layouts(shards, plan.request.workers_max)) {
            auto placed = least_duration(entries, order, plan.request, model, &layout,
                                         *request.memory_budget);
            if (!placed) {
                continue;
            }
            auto candidate = build(*placed);
            double wall = longest_wall_s(candidate);
            if (!best_wall || wall < *best_wall) {
                plan.shards = std::move(candidate);
                best_wall = wall;
            }
        }
        plan.memory_kept = best_wall.has_value();
        if (plan.memory_kept) {
            return plan;
        }
    }
    plan.shards = build(*least_duration(entries, order, plan.request, model, nullptr, 0));
    return plan;
}

}  // namespace blackbox::plan
