#include <blackbox/base/utf8_text.hpp>
#include <blackbox/store/row_values.hpp>
#include <blackbox/store/test_row.hpp>

namespace blackbox::store {

namespace {

std::int64_t flag(bool value) {
    return value ? 1 : 0;
}

}  // namespace

void context_values(const ExecutionContextRow& row, ValueSink& out) {
    out.put(row.env_h);
    out.put(row.cpu_count);
    out.put(row.cpu_frequency_mhz);
    out.put(row.cpu_type);
    out.put(row.cpu_vendor);
    out.put(row.ram_total_mb);
    out.put(row.machine_node);
    out.put(row.machine_type);
    out.put(row.machine_arch);
    out.put(row.system_info);
    out.put(row.python_info);
}

void session_values(const std::string& session_h, const SessionRow& row, ValueSink& out) {
    out.put(session_h);
    out.put(row.run_date);
    out.put(row.scm_id);
    out.put(row.run_description);
}

namespace {

// TEST_METRICS' columns from ITEM_START_TIME to MEM_USAGE.
void measured_values(const MetricsRow& row, ValueSink& out) {
    out.put(row.item_start_time);
    for (const auto* text : {&row.item_path, &row.item, &row.item_variant, &row.item_fs_loc,
                             &row.kind, &row.component}) {
        out.put(*text);
    }
    for (const auto* number :
         {&row.total_time, &row.user_time, &row.kernel_time, &row.cpu_usage, &row.mem_usage}) {
        out.put(*number);
    }
}

}  // namespace

void metrics_values(const std::string& session_h, const std::string& env_h, const MetricsRow& row,
                    ValueSink& out) {
    out.put(session_h);
    out.put(env_h);
    measured_values(row, out);
    out.put(row.outcome);
    out.put(row.nodeid);
}

void monitor_metric_values(const MonitorMetric& metric, ValueSink& out) {
    out.put(metric.session_h);
    out.put(metric.env_h);
    measured_values(metric.row, out);
    if (metric.row.outcome.empty()) {
        out.null();
    } else {
        out.put(metric.row.outcome);
    }
    out.null();
}

void test_values(const std::string& session_h, const TestRow& row, ValueSink& out) {
    out.put(session_h);
    out.put(row.nodeid);
    out.put(row.outcome);
    out.put(row.worker);
    out.put(std::int64_t{row.attempt});
    out.put(row.start);
    for (const auto* seconds :
         {&row.setup_s, &row.call_s, &row.teardown_s, &row.total_s, &row.user_s, &row.sys_s}) {
        out.put(*seconds);
    }
    out.put(row.peak_rss_bytes);
    out.put(flag(row.peak_exact));
    out.put(row.peak_tree_rss_bytes);
    out.put(row.rss_before_bytes);
    out.put(row.rss_after_bytes);
    out.put(row.retained_bytes);
    out.put(flag(row.monitored));
    out.put(row.main_cpu_s);
    out.put(row.run_delay_s);
    out.put(row.reruns);
}

void run_values(const std::string& session_h, const std::string& env_h, const RunRow& row,
                const std::string& ingested, ValueSink& out) {
    out.put(session_h);
    out.put(row.run_id);
    out.put(row.run_dir);
    out.put(env_h);
    out.put(row.started);
    out.put(row.ended);
    out.put(row.duration_s);
    out.put(row.command);
    out.put(row.status);
    out.put(row.exit_code);
    out.put(row.attempts);
    for (auto count : {row.collected, row.passed, row.failed, row.skipped, row.xfailed, row.xpassed,
                       row.errors, row.crashed, row.not_run}) {
        out.put(count);
    }
    out.put(row.context);
    out.put(ingested);
    if (row.settings.empty()) {
        out.null();  // a run uploaded by an older blackbox: its settings are unknown
    } else {
        out.put(row.settings);
    }
    out.put(row.startup_s);
    out.put(row.collection_s);
    out.put(row.finish_s);
}

void crash_values(const std::string& session_h, const postmortem::Crash& crash, ValueSink& out) {
    auto name = [&](const std::optional<std::string>& bytes) {
        if (bytes) {
            out.put(base::name_text(*bytes));
        } else {
            out.null();
        }
    };
    out.put(session_h);
    if (crash.nodeid) {
        out.put(stored_nodeid(crash));  // its test's row
    } else {
        out.null();
    }
    out.put(crash.phase);
    out.put(crash.cause);
    out.put(crash.signal);
    out.put(crash.exit_code);
    name(crash.worker);
    out.put(crash.attempt);
    out.put(crash.rss_bytes);
    out.put(base::valid_utf8(crash.evidence));
    if (crash.traceback) {
        out.put(base::valid_utf8(*crash.traceback));
    } else {
        out.null();
    }
}

}  // namespace blackbox::store
