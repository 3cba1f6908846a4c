#include <cstdlib>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/repair/crash_log_reader.hpp>
#include <blackbox/repair/text_trim.hpp>

namespace blackbox::repair {

namespace {

using nlohmann::json;

// A string field, or a number written as text (gpu_id is "0" or 0 depending on the writer).
std::optional<std::string> text_field(const json& record, const char* key) {
    auto it = record.find(key);
    if (it == record.end()) {
        return std::nullopt;
    }
    if (it->is_string()) {
        auto value = it->get<std::string>();
        return value.empty() ? std::nullopt : std::optional<std::string>(value);
    }
    if (it->is_number()) {
        return base::json_text(*it);
    }
    return std::nullopt;
}

std::optional<double> seconds_field(const json& record, const char* key) {
    auto it = record.find(key);
    if (it != record.end() && it->is_number()) {
        return it->get<double>();
    }
    if (it != record.end() && it->is_string()) {
        char* end = nullptr;
        const auto& text = it->get_ref<const std::string&>();
        double value = std::strtod(text.c_str(), &end);
        if (end != text.c_str() && *end == '\0') {
            return value;
        }
    }
    return std::nullopt;
}

CrashEntry entry_from(const json& record, std::string nodeid) {
    CrashEntry crash;
    crash.nodeid = std::move(nodeid);
    crash.reason = text_field(record, "reason");
    crash.crash_time = text_field(record, "crash_time");
    crash.duration_s = seconds_field(record, "duration");
    crash.gpu_id = text_field(record, "gpu_id");
    crash.worker = text_field(record, "source");
    crash.test_class = text_field(record, "test_class");
    auto pid = record.find("pid");
    if (pid != record.end() && pid->is_number_integer()) {
        crash.pid = pid->get<long>();
    }
    return crash;
}

}  // namespace

CrashLog parse_crash_log(std::string_view text) {
    CrashLog log;
    std::size_t line_number = 0;
    while (!text.empty()) {
        auto newline = text.find('\n');
        auto line = trimmed(text.substr(0, newline));
        text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
        ++line_number;
        if (line.empty()) {
            continue;
        }
        auto record = json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!record.is_object()) {
            log.warnings.push_back(fmt::format("line {}: not a JSON object, skipped", line_number));
            continue;
        }
        auto nodeid = text_field(record, "nodeid");
        auto trimmed_id = nodeid ? std::string(trimmed(*nodeid)) : std::string();
        if (trimmed_id.empty()) {
            log.warnings.push_back(fmt::format("line {}: no nodeid, skipped", line_number));
            continue;
        }
        log.crashes.push_back(entry_from(record, std::move(trimmed_id)));
    }
    return log;
}

std::optional<CrashLog> read_crash_log(const std::filesystem::path& path) {
    std::error_code error;
    if (!std::filesystem::exists(path, error)) {
        return std::nullopt;
    }
    auto text = base::read_file(path);
    if (!text) {
        throw Error("cannot read the crash log " + path.string());
    }
    return parse_crash_log(*text);
}

std::optional<std::filesystem::path> crash_log_from_environment() {
    for (const char* name : {"PYTEST_ABORT_CRASHED_TESTS_LOG", "JAX_ROCM_CRASHED_TESTS_LOG"}) {
        const char* value = std::getenv(name);
        if (value != nullptr && *value != '\0') {
            return std::filesystem::path(value);
        }
    }
    return std::nullopt;
}

}  // namespace blackbox::repair
