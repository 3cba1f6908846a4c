#include "comparison.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include <blackbox/compare/median.hpp>

namespace blackbox::compare {

std::optional<double> Change::relative() const {
    if (base == 0) {
        return std::nullopt;
    }
    return (now - base) / base;
}

namespace {

// The sort key of a change: an unbounded growth (from 0) ranks above any finite one.
double severity(const Change& change) {
    auto relative = change.relative();
    return relative ? *relative : std::numeric_limits<double>::infinity();
}

// Equal severities keep a stable, readable order: by test, then metric.
bool same_rank_order(const Change& a, const Change& b) {
    if (a.nodeid != b.nodeid) {
        return a.nodeid < b.nodeid;
    }
    return a.metric < b.metric;
}

bool judged(const TestBaseline& base, const Thresholds& thresholds) {
    return base.passed_sessions >= std::max<std::size_t>(thresholds.min_sessions, 1);
}

// The median ratio of CPU times now over the baseline's, over the tests judged with enough CPU
// time; 1 when too few have it.
double cpu_factor(const std::vector<TestFigures>& now, const Baseline& baseline,
                  const Thresholds& thresholds) {
    std::vector<double> ratios;
    for (const auto& test : now) {
        auto found = baseline.find(test.nodeid);
        if (!test.passed() || !test.cpu_s || found == baseline.end() ||
            !judged(found->second, thresholds)) {
            continue;
        }
        auto base = found->second.median(Metric::cpu);
        if (base && *base >= kCpuFactorMinimumSeconds) {
            ratios.push_back(*test.cpu_s / *base);
        }
    }
    if (ratios.size() < kCpuFactorMinimumTests) {
        return 1;
    }
    return *median(std::move(ratios));
}

// CPU seconds the test's other threads spent (the process's beyond its own thread's, when the
// scheduler measured that): threads that hand a lock or the GIL to each other spend more CPU
// time the more of them run at once, which is the machine's scheduling, not the test's work.
double other_threads_cpu(const TestFigures& test) {
    if (!test.cpu_s || !test.main_cpu_s) {
        return 0;
    }
    return std::max(*test.cpu_s - *test.main_cpu_s, 0.0);
}

// The wall time a test may have lost to the machine (docs/commands/compare.md, "The rule"): the
// larger of the estimate from its CPU time and what the scheduler measured. The measure is its
// thread's time runnable but waiting for a processor, plus what it computed beyond its
// baseline (a test that computes longer is judged by its CPU time), plus the estimate for the CPU
// time of its other threads, whose waits are not measured.
double wait_allowance(const TestFigures& test, const TestBaseline& base,
                      const Thresholds& thresholds) {
    if (!test.cpu_s) {
        return 0;
    }
    const double cpu = std::max(*test.cpu_s, 0.0);
    auto base_cpu = base.median(Metric::cpu);
    auto base_wall = base.median(Metric::wall);
    bool running = base_cpu && base_wall && *base_cpu >= *base_wall / 2;  // mostly on a processor
    double estimate = thresholds.contention * (cpu + (running ? thresholds.slice : 0.0));
    if (!test.run_delay_s || !test.main_cpu_s) {
        return estimate;
    }
    double measured = std::max(*test.run_delay_s, 0.0) +
                      std::max(cpu - base_cpu.value_or(cpu), 0.0) +
                      thresholds.contention * other_threads_cpu(test);
    return std::max(estimate, measured);
}

}  // namespace

Comparison compare_tests(const std::vector<TestFigures>& now, const Baseline& baseline,
                         const Thresholds& thresholds) {
    Comparison result;
    result.cpu_factor = cpu_factor(now, baseline, thresholds);
    const double slowdown = std::max(result.cpu_factor, 1.0);  // only ever forgives
    std::set<std::string> seen;
    for (const auto& test : now) {
        seen.insert(test.nodeid);
        auto found = baseline.find(test.nodeid);
        if (!test.passed()) {
            if (found != baseline.end()) {
                result.not_passed.push_back({test.nodeid, test.outcome});
            }
            continue;
        }
        if (found == baseline.end()) {
            result.without_baseline.push_back(test.nodeid);
            continue;
        }
        const auto& base = found->second;
        if (!judged(base, thresholds)) {
            result.little_history.push_back(test.nodeid);
            continue;
        }
        result.compared += 1;
        for (auto metric : kMetrics) {
            const auto& before = base.of(metric);
            auto after = metric_value(test, metric);
            if (!before || !after) {
                continue;
            }
            const auto& threshold = thresholds.of(metric);
            double least = margin(*before, threshold, thresholds.spread);
            // The growth of the figure as measured beyond which it counts.
            double limit = growth_margin(*before, threshold, thresholds.spread);
            if (metric == Metric::cpu) {
                limit = slowdown * (before->median + limit) - before->median +
                        thresholds.contention * other_threads_cpu(test);
            } else if (metric == Metric::wall) {
                limit += wait_allowance(test, base, thresholds);
            }
            Change change{test.nodeid,    metric, before->median,      *after,
                          before->spread, limit,  base.passed_sessions};
            if (*after - before->median > limit) {
                result.regressions.push_back(change);
            } else if (before->median - *after > least) {
                change.limit = least;
                result.improvements.push_back(change);
            }
        }
    }
    for (const auto& [nodeid, entry] : baseline) {
        if (!seen.contains(nodeid)) {
            result.missing.push_back(nodeid);
        }
    }
    std::stable_sort(result.regressions.begin(), result.regressions.end(),
                     [](const Change& a, const Change& b) {
                         double sa = severity(a), sb = severity(b);
                         return sa != sb ? sa > sb : same_rank_order(a, b);
                     });
    std::stable_sort(result.improvements.begin(), result.improvements.end(),
                     [](const Change& a, const Change& b) {
                         double sa = severity(a), sb = severity(b);
                         return sa != sb ? sa < sb : same_rank_order(a, b);
                     });
    std::sort(result.without_baseline.begin(), result.without_baseline.end());
    std::sort(result.little_history.begin(), result.little_history.end());
    std::sort(result.not_passed.begin(), result.not_passed.end(),
              [](const NotPassed& a, const NotPassed& b) { return a.nodeid < b.nodeid; });
    return result;
}

}  // namespace blackbox::compare
