#include <blackbox/base/json_text.hpp>
#include <blackbox/wire/context_texts.hpp>
#include <blackbox/wire/field_ranges.hpp>
#include <blackbox/wire/field_reader.hpp>
#include <blackbox/wire/monitor_protocol.hpp>

namespace blackbox::wire {

namespace {

using nlohmann::json;

template <typename T>
json or_null(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

template <typename T>
Parsed<T> result(const FieldReader& in, T value) {
    if (!in.ok()) {
        return {std::nullopt, in.error()};
    }
    return {std::move(value), {}};
}

}  // namespace

Parsed<store::ExecutionContextRow> parse_monitor_context(const json& body) {
    FieldReader in(body, "context");
    store::ExecutionContextRow row;
    row.cpu_count = count(in, "cpu_count");
    // psutil reports the frequency as a float; the column is an integer.
    row.cpu_frequency_mhz = in.rounded("cpu_frequency");
    row.ram_total_mb = in.rounded("ram_total");
    if (row.cpu_frequency_mhz < 0 || row.ram_total_mb < 0) {
        in.fail(row.cpu_frequency_mhz < 0 ? "cpu_frequency" : "ram_total", "must not be negative");
    }
    read_context_texts(in, row);
    row.env_h = in.hash("h");
    return result(in, std::move(row));
}

Parsed<store::SessionRow> parse_monitor_session(const json& body) {
    FieldReader in(body, "session");
    store::SessionRow row;
    row.session_h = in.hash("session_h");
    row.run_date = in.text("run_date", 64);
    row.scm_id = in.optional_text("scm_ref", 128).value_or("");
    if (in.ok()) {
        auto found = body.find("description");
        if (found == body.end() || found->is_null()) {
            row.run_description = "{}";
        } else if (found->is_object()) {
            row.run_description = base::json_text(*found);
        } else if (found->is_string()) {
            row.run_description = found->get<std::string>();
        } else {
            in.fail("description", "must be a JSON object or a string");
        }
        if (row.run_description.size() > kMaxLongText) {
            in.fail("description", "is too long");
        } else if (row.run_description.find('\0') != std::string::npos) {
            in.fail("description", "must not contain NUL characters");
        }
    }
    return result(in, std::move(row));
}

Parsed<store::MonitorMetric> parse_monitor_metric(const json& body) {
    FieldReader in(body, "metric");
    store::MonitorMetric metric;
    metric.session_h = in.hash("session_h");
    metric.env_h = in.hash("context_h");
    auto& row = metric.row;
    row.item_start_time = in.text("item_start_time", 64);
    row.item_path = in.text("item_path");
    row.item = in.text("item", 2096);
    row.item_variant = in.text("item_variant", 2048);
    row.item_fs_loc = in.text("item_fs_loc", 2048);
    row.kind = in.text("kind", 64);
    row.component = in.optional_text("component", 512).value_or("");
    row.total_time = optional_measure(in, "total_time");
    row.user_time = optional_measure(in, "user_time");
    row.kernel_time = optional_measure(in, "kernel_time");
    row.cpu_usage = optional_measure(in, "cpu_usage");
    row.mem_usage = optional_measure(in, "mem_usage");
    row.outcome = row.kind == "function" ? "passed" : "";
    return result(in, std::move(metric));
}

json monitor_context_json(const store::ExecutionContextRow& row) {
    return {{"cpu_count", row.cpu_count},
            {"cpu_frequency", row.cpu_frequency_mhz},
            {"cpu_type", row.cpu_type},
            {"cpu_vendor", row.cpu_vendor},
            {"ram_total", row.ram_total_mb},
            {"machine_node", row.machine_node},
            {"machine_type", row.machine_type},
            {"machine_arch", row.machine_arch},
            {"system_info", row.system_info},
            {"python_info", row.python_info},
            {"h", row.env_h}};
}

json monitor_session_json(const store::SessionRow& row) {
    json description = json::parse(row.run_description, nullptr, false);
    if (description.is_discarded()) {
        description = row.run_description;
    }
    return {{"session_h", row.session_h},
            {"run_date", row.run_date},
            {"scm_ref", row.scm_id},
            {"description", description}};
}

json monitor_metric_json(const store::MonitorMetric& metric) {
    const auto& row = metric.row;
    return {{"session_h", metric.session_h},
            {"context_h", metric.env_h},
            {"item_start_time", or_null(row.item_start_time)},
            {"item_path", row.item_path},
            {"item", row.item},
            {"item_variant", row.item_variant},
            {"item_fs_loc", row.item_fs_loc},
            {"kind", row.kind},
            {"component", row.component},
            {"total_time", or_null(row.total_time)},
            {"user_time", or_null(row.user_time)},
            {"kernel_time", or_null(row.kernel_time)},
            {"cpu_usage", or_null(row.cpu_usage)},
            {"mem_usage", or_null(row.mem_usage)}};
}

}  // namespace blackbox::wire
