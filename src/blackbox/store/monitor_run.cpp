#include <blackbox/store/monitor_run.hpp>

namespace blackbox::store {

std::string monitor_nodeid(const std::string& item_fs_loc, const std::string& item_variant) {
    std::string name;
    name.reserve(item_variant.size());
    for (std::size_t i = 0; i < item_variant.size(); ++i) {
        if (item_variant.compare(i, 2, ", ") == 0) {
            name += '-';
            ++i;
        } else {
            name += item_variant[i];
        }
    }
    return item_fs_loc.empty() ? name : item_fs_loc + "::" + name;
}

RunRow monitor_run_row(const SessionRow& session) {
    RunRow row;
    row.run_id = session.session_h;
    if (!session.run_date.empty()) {
        row.started = session.run_date;
    }
    row.command = "[]";
    row.status = kMonitorRunStatus;
    row.attempts = 1;
    row.context = "{}";
    row.settings = kMonitorRunSettings;
    return row;
}

TestRow monitor_test_row(const MonitorMetric& metric) {
    const auto& metrics = metric.row;
    TestRow row;
    row.nodeid = monitor_nodeid(metrics.item_fs_loc, metrics.item_variant);
    row.outcome = "passed";
    row.start = metrics.item_start_time;
    row.call_s = metrics.total_time;
    row.total_s = metrics.total_time;
    row.user_s = metrics.user_time;
    row.sys_s = metrics.kernel_time;
    return row;
}

}  // namespace blackbox::store
