#include <blackbox/base/utf8_text.hpp>
#include <blackbox/store/iso_time.hpp>
#include <blackbox/store/metrics_row.hpp>

namespace blackbox::store {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::optional<double> cpu_usage(std::optional<double> user, std::optional<double> sys,
                                double wall_s) {
    if (!user || !sys || wall_s <= 0) {
        return std::nullopt;
    }
    return (*user + *sys) / wall_s * 100.0;
}

std::optional<double> mebibytes(std::optional<std::int64_t> bytes) {
    return bytes ? std::optional(static_cast<double>(*bytes) / kMiB) : std::nullopt;
}

std::optional<std::string> wall_text(std::optional<std::int64_t> ns,
                                     const std::optional<postmortem::ClockAnchor>& clock) {
    if (!ns || !clock) {
        return std::nullopt;
    }
    return iso_utc(clock->wall_at(*ns));
}

}  // namespace

std::optional<std::string> test_start_text(const postmortem::TestResult& test,
                                           const postmortem::Crash* crash,
                                           const std::optional<postmortem::ClockAnchor>& clock) {
    for (const auto* phase : {&test.setup, &test.call, &test.teardown}) {
        if (*phase && (*phase)->begin_ns != 0) {
            return wall_text((*phase)->begin_ns, clock);
        }
    }
    if (crash != nullptr && crash->since_ns != 0) {
        return wall_text(crash->since_ns, clock);
    }
    return std::nullopt;
}

MetricsRow function_metrics(const postmortem::TestResult& test, const ItemLocation& location,
                            const std::optional<std::string>& start) {
    MetricsRow row;
    row.item_start_time = start;
    row.item_path = base::name_text(location.item_path);
    row.item = base::name_text(location.item);
    row.item_variant = base::name_text(location.variant);
    row.item_fs_loc = base::name_text(location.fs_loc);
    row.kind = "function";
    row.component = base::name_text(location.component);
    if (test.call) {
        row.total_time = test.call->duration_s;
    } else if (test.teardown) {
        row.total_time = 0.0;  // the test ended without a call (skipped or failed in setup)
    }
    row.user_time = test.cpu_user_s;
    row.kernel_time = test.cpu_sys_s;
    // Over the interval the CPU times were taken over; the phases' sum for an older journal.
    row.cpu_usage =
        cpu_usage(test.cpu_user_s, test.cpu_sys_s, test.cpu_wall_s.value_or(test.duration_s()));
    row.mem_usage = mebibytes(test.peak_rss_bytes ? test.peak_rss_bytes : test.peak_tree_rss_bytes);
    row.outcome = test.outcome;
    row.nodeid = base::name_text(test.nodeid);
    return row;
}

MetricsRow scope_metrics(const postmortem::ScopeMetrics& scope,
                         const std::optional<postmortem::ClockAnchor>& clock) {
    MetricsRow row;
    row.item_start_time = wall_text(scope.begin_ns, clock);
    row.item_path = base::name_text(scope.module.value_or(""));
    row.item = base::name_text(scope.name);
    row.item_variant = base::name_text(scope.name);
    row.item_fs_loc = base::name_text(scope.file.value_or(""));
    row.kind = scope.kind;
    row.component = base::name_text(scope.component);
    const double wall_s = static_cast<double>(scope.end_ns - scope.begin_ns) / 1e9;
    row.total_time = wall_s;
    row.user_time = scope.cpu_user_s;
    row.kernel_time = scope.cpu_sys_s;
    row.cpu_usage = cpu_usage(scope.cpu_user_s, scope.cpu_sys_s, wall_s);
    row.mem_usage = mebibytes(scope.peak_rss_bytes);
    row.nodeid = base::name_text(scope.nodeid);
    return row;
}

}  // namespace blackbox::store
