#include <cerrno>

#include <blackbox/rundir/attempts_file.hpp>
#include <blackbox/rundir/json_document.hpp>
#include <blackbox/rundir/json_fields.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::rundir {

namespace {

using nlohmann::json;

WaitRecord wait_from_json(const json& wait) {
    WaitRecord status;
    if (wait.is_object()) {
        status.code = int_at(wait, "code");
        status.signal = int_at(wait, "signal");
        auto core = wait.find("core_dumped");
        status.core_dumped = core != wait.end() && core->is_boolean() && core->get<bool>();
    }
    return status;
}

}  // namespace

json attempts_to_json(const std::vector<AttemptRecord>& attempts) {
    json list = json::array();
    for (const auto& attempt : attempts) {
        list.push_back({{"attempt", attempt.attempt},
                        {"pid", attempt.pid},
                        {"wait",
                         {{"code", optional_json(attempt.wait.code)},
                          {"signal", optional_json(attempt.wait.signal)},
                          {"core_dumped", attempt.wait.core_dumped}}},
                        {"forwarded_signal", optional_json(attempt.forwarded_signal)},
                        {"started_ns", attempt.started_ns},
                        {"ended_ns", attempt.ended_ns},
                        {"exited_ns", attempt.exited_ns}});
    }
    return list;
}

std::vector<AttemptRecord> attempts_from_json(const json& doc) {
    std::vector<AttemptRecord> attempts;
    auto list = doc.is_object() ? doc.find("attempts") : doc.end();
    if (!doc.is_object() || list == doc.end() || !list->is_array()) {
        return attempts;
    }
    for (const auto& entry : *list) {
        if (!entry.is_object()) {
            continue;
        }
        AttemptRecord attempt;
        attempt.attempt = int_at(entry, "attempt").value_or(1);
        attempt.pid = int_at(entry, "pid").value_or(0);
        attempt.wait = wait_from_json(entry.value("wait", json()));
        attempt.forwarded_signal = int_at(entry, "forwarded_signal");
        attempt.started_ns = int64_at(entry, "started_ns").value_or(0);
        attempt.ended_ns = int64_at(entry, "ended_ns").value_or(0);
        attempt.exited_ns = int64_at(entry, "exited_ns").value_or(0);
        attempts.push_back(attempt);
    }
    return attempts;
}

int write_attempts_file(const base::Directory& run_dir,
                        const std::vector<AttemptRecord>& attempts) noexcept {
    try {
        return write_json_document(run_dir, kAttemptsFile,
                                   {{"attempts", attempts_to_json(attempts)}});
    } catch (const std::exception&) {
        return ENOMEM;
    }
}

std::optional<std::vector<AttemptRecord>> read_attempts_file(const std::filesystem::path& dir,
                                                             std::vector<std::string>& warnings) {
    auto doc = read_json_document(dir / kAttemptsFile, warnings);
    if (doc.is_null()) {
        return std::nullopt;
    }
    return attempts_from_json(doc);
}

}  // namespace blackbox::rundir
