#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include <blackbox/store/execution_context_row.hpp>
#include <blackbox/store/md5_hex.hpp>

namespace blackbox::store {

namespace {

using nlohmann::json;

const json& at(const json& object, const char* key) {
    static const json kNull;
    if (!object.is_object()) {
        return kNull;
    }
    auto it = object.find(key);
    return it == object.end() ? kNull : *it;
}

std::string text(const json& value) {
    return value.is_string() ? value.get<std::string>() : std::string();
}

std::int64_t whole(const json& value) {
    return value.is_number() ? static_cast<std::int64_t>(std::llround(value.get<double>())) : 0;
}

// platform.architecture()'s word for the machines Linux runs on.
std::string word_size(const std::string& machine) {
    bool wide = machine.find("64") != std::string::npos || machine == "s390x";
    return machine.empty() ? std::string() : wide ? "64bit" : "32bit";
}

std::string python_info(const json& python) {
    auto implementation = text(at(python, "implementation"));
    auto version = text(at(python, "version"));
    auto build = text(at(python, "build"));
    auto info = implementation.empty() ? version : fmt::format("{} {}", implementation, version);
    if (!build.empty()) {
        info += fmt::format(" ({})", build);
    }
    return info;
}

}  // namespace

ExecutionContextRow execution_context_row(const json& context) {
    ExecutionContextRow row;
    const auto& cpu = at(context, "cpu");
    const auto& kernel = at(context, "kernel");
    row.cpu_count = whole(at(cpu, "count"));
    row.cpu_frequency_mhz = whole(at(cpu, "frequency_mhz"));
    row.cpu_type = text(at(context, "machine"));
    row.cpu_vendor = text(at(cpu, "model"));
    row.ram_total_mb = whole(at(context, "memory_total_bytes")) / (1024 * 1024);
    row.machine_node = text(at(context, "hostname"));
    row.machine_type = row.cpu_type;
    row.machine_arch = word_size(row.cpu_type);
    auto sysname = text(at(kernel, "sysname"));
    auto release = text(at(kernel, "release"));
    row.system_info = sysname.empty() && release.empty() ? std::string()
                                                         : fmt::format("{} - {}", sysname, release);
    row.python_info = python_info(at(context, "python"));
    const auto& monitor = at(context, "pytest_monitor");
    if (monitor.is_object()) {
        // The facts the plugin read as pytest-monitor reads them: the row and its hash are the
        // ones its client computes on this machine (sys_utils.py's compute_hash: each value's
        // Python text, concatenated without separators, the frequency as psutil gave it).
        const auto frequency = text(at(monitor, "cpu_frequency"));
        if (!frequency.empty()) {
            row.cpu_frequency_mhz = std::llround(std::strtod(frequency.c_str(), nullptr));
        }
        row.cpu_type = text(at(monitor, "cpu_type"));
        row.machine_node = text(at(monitor, "machine_node"));
        row.python_info = text(at(monitor, "python_info"));
        row.env_h = md5_hex(fmt::format("{}{}{}{}{}{}{}{}{}", row.cpu_count,
                                        frequency.empty() ? "0.0" : frequency, row.cpu_type,
                                        row.ram_total_mb, row.machine_node, row.machine_type,
                                        row.machine_arch, row.system_info, row.python_info));
        return row;
    }
    row.env_h = md5_hex(fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}", row.cpu_count,
                                    row.cpu_frequency_mhz, row.cpu_type, row.cpu_vendor,
                                    row.ram_total_mb, row.machine_node, row.machine_type,
                                    row.machine_arch, row.system_info, row.python_info));
    return row;
}

}  // namespace blackbox::store
