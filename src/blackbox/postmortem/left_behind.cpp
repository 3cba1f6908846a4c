#include <algorithm>
#include <limits>
#include <utility>

#include <blackbox/base/saturating.hpp>
#include <blackbox/postmortem/left_behind.hpp>

namespace blackbox::postmortem {

std::string leftover_summary(const Leftover& left) {
    std::string summary = std::to_string(left.count);
    if (!left.names.empty()) {
        summary += ": " + left.names.front();
    }
    return summary;
}

std::vector<KindLeakers> left_behind(const RunModel& run) {
    std::vector<KindLeakers> kinds;
    for (std::size_t index = 0; index < run.tests.size(); ++index) {
        const auto& after = run.tests[index].after;
        if (!after) {
            continue;
        }
        for (const auto& left : after->left) {
            auto found = std::find_if(kinds.begin(), kinds.end(),
                                      [&](const KindLeakers& k) { return k.kind == left.kind; });
            if (found == kinds.end()) {
                found = kinds.insert(kinds.end(), KindLeakers{left.kind, {}});
            }
            found->tests.push_back({index, &left});
        }
    }
    std::stable_sort(kinds.begin(), kinds.end(), [](const KindLeakers& a, const KindLeakers& b) {
        return leftover_rank(a.kind) < leftover_rank(b.kind);
    });
    return kinds;
}

std::optional<std::size_t> test_running_at(const RunModel& run, int attempt, std::int64_t from_ns,
                                           std::int64_t to_ns) {
    std::optional<std::size_t> found;
    for (std::size_t index = 0; index < run.tests.size(); ++index) {
        const auto& test = run.tests[index];
        if (test.attempt != attempt) {
            continue;
        }
        std::int64_t begin = 0;
        std::int64_t end = 0;
        for (const auto* phase : {&test.setup, &test.call, &test.teardown}) {
            if (!*phase) {
                continue;
            }
            const auto& result = **phase;
            const std::int64_t began =
                result.begin_ns != 0
                    ? result.begin_ns
                    : result.end_ns - static_cast<std::int64_t>(result.duration_s * 1e9);
            begin = begin == 0 ? began : std::min(begin, began);
            end = std::max(end, result.end_ns);
        }
        if (test.crash) {
            end = std::numeric_limits<std::int64_t>::max();  // it died in it: no end
        }
        if (begin == 0 || to_ns < begin || from_ns > end) {
            continue;
        }
        if (found) {
            return std::nullopt;
        }
        found = index;
    }
    return found;
}

std::optional<GcTotals> gc_totals(const RunModel& run) {
    GcTotals totals;
    std::int64_t most = 0;
    for (std::size_t index = 0; index < run.tests.size(); ++index) {
        const auto& after = run.tests[index].after;
        if (!after || !after->gc_freed_bytes) {
            continue;
        }
        ++totals.tests;
        totals.freed_bytes = base::saturating_add(totals.freed_bytes, *after->gc_freed_bytes);
        totals.objects = base::saturating_add(totals.objects, after->gc_objects.value_or(0));
        totals.seconds += after->gc_s.value_or(0.0);
        if (*after->gc_freed_bytes > most) {
            most = *after->gc_freed_bytes;
            totals.most = index;
        }
    }
    if (totals.tests == 0) {
        return std::nullopt;
    }
    return totals;
}

}  // namespace blackbox::postmortem
