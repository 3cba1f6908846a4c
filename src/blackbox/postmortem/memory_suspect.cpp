#include <csignal>
#include <limits>

#include <blackbox/postmortem/memory_suspect.hpp>

namespace blackbox::postmortem {

namespace {

// After the death, the next sample shows the kill in the cgroup's count: allow a few samples
// (the sampler may have been delayed by the death's own turmoil).
constexpr std::int64_t kKillSeenWithinNs = 2'000'000'000;

bool oom_kill_during(const RunModel& run, const Crash& crash) {
    std::int64_t from = crash.since_ns;
    std::int64_t to = std::numeric_limits<std::int64_t>::max();
    if (crash.died_ns) {
        to = *crash.died_ns + kKillSeenWithinNs;
    }
    for (auto ns : run.memory.oom_kills_ns) {
        if (ns >= from && ns <= to) {
            return true;
        }
    }
    return false;
}

bool near_the_limit(const RunModel& run, const Crash& crash) {
    if (!crash.memory_at) {
        return false;
    }
    const auto& at = *crash.memory_at;
    if (run.memory.limit && *run.memory.limit > 0) {
        // The cgroup counts a shared page once; the tree's RSS, the fallback, does not.
        std::int64_t used = at.cgroup_usage.value_or(at.tree_rss);
        if (used >= *run.memory.limit / 10 * 9) {
            return true;
        }
    }
    if (at.available && run.memory.mem_total && *run.memory.mem_total > 0) {
        return *at.available < *run.memory.mem_total / 100 * 3;
    }
    return false;
}

}  // namespace

bool memory_death(const RunModel& run, const Crash& crash) {
    if (crash.cause == "oom" || crash.cause == "memory_limit") {
        return true;
    }
    if (crash.signal != SIGKILL) {
        return false;
    }
    return oom_kill_during(run, crash) || near_the_limit(run, crash);
}

std::optional<std::size_t> memory_suspect(const RunModel& run) {
    std::optional<std::size_t> suspect;
    for (const auto& crash : run.crashes) {
        if (!memory_death(run, crash)) {
            continue;
        }
        std::int64_t death = crash.died_ns.value_or(std::numeric_limits<std::int64_t>::max());
        for (std::size_t i = 0; i < run.tests.size(); ++i) {
            const auto& test = run.tests[i];
            // Growth kept to the test's end, without double counting.
            auto growth = test.tree_pss_growth_bytes;
            if (test.outcome == "crashed" || test.attempt != crash.attempt || !growth ||
                *growth < kSuspectGrowth) {
                continue;
            }
            bool before_death =
                test.teardown && test.teardown->end_ns != 0 && test.teardown->end_ns <= death;
            if (!before_death) {
                continue;
            }
            if (!suspect || *growth > *run.tests[*suspect].tree_pss_growth_bytes) {
                suspect = i;
            }
        }
    }
    return suspect;
}

}  // namespace blackbox::postmortem
