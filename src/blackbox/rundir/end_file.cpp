#include <cerrno>

#include <blackbox/rundir/end_file.hpp>
#include <blackbox/rundir/json_document.hpp>
#include <blackbox/rundir/json_fields.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::rundir {

namespace {

using nlohmann::json;

std::vector<WriteFailureRecord> write_failures_from_json(const json& doc) {
    std::vector<WriteFailureRecord> failures;
    auto list = doc.find("write_failures");
    if (list == doc.end() || !list->is_array()) {
        return failures;
    }
    for (const auto& entry : *list) {
        if (!entry.is_object()) {
            continue;
        }
        WriteFailureRecord failure;
        failure.file = string_at(entry, "file").value_or("?");
        failure.error = string_at(entry, "error").value_or("unknown error");
        failure.unit = string_at(entry, "unit").value_or("");
        failure.since_ns = int64_at(entry, "since_ns");
        failure.lost = int64_at(entry, "lost");
        failures.push_back(std::move(failure));
    }
    return failures;
}

json write_failures_to_json(const std::vector<WriteFailureRecord>& failures) {
    json list = json::array();
    for (const auto& failure : failures) {
        json entry = {{"file", failure.file},
                      {"since_ns", failure.since_ns ? json(*failure.since_ns) : json(nullptr)},
                      {"error", failure.error}};
        if (!failure.unit.empty()) {
            entry["lost"] = failure.lost ? json(*failure.lost) : json(nullptr);
            entry["unit"] = failure.unit;
        }
        list.push_back(std::move(entry));
    }
    return list;
}

}  // namespace

json end_to_json(const EndRecord& end) {
    json doc = {{"ended", end.ended ? json(*end.ended) : json(nullptr)},
                {"ended_ns", end.ended_ns ? json(*end.ended_ns) : json(nullptr)},
                {"duration_s", end.duration_s ? json(*end.duration_s) : json(nullptr)},
                {"forwarded_signal", optional_json(end.forwarded_signal)},
                {"exit_code", optional_json(end.exit_code)},
                {"attempts", attempts_to_json(end.attempts)}};
    if (!end.write_failures.empty()) {
        doc["write_failures"] = write_failures_to_json(end.write_failures);
    }
    return doc;
}

EndRecord end_from_json(const json& doc) {
    EndRecord end;
    if (!doc.is_object()) {
        return end;
    }
    end.ended = string_at(doc, "ended");
    end.ended_ns = int64_at(doc, "ended_ns");
    if (auto duration = doc.find("duration_s"); duration != doc.end() && duration->is_number()) {
        end.duration_s = duration->get<double>();
    }
    end.forwarded_signal = int_at(doc, "forwarded_signal");
    end.exit_code = int_at(doc, "exit_code");
    end.attempts = attempts_from_json(doc);
    end.write_failures = write_failures_from_json(doc);
    return end;
}

int write_end_file(const base::Directory& run_dir, const EndRecord& end) noexcept {
    try {
        return write_json_document(run_dir, kEndFile, end_to_json(end));
    } catch (const std::exception&) {
        return ENOMEM;
    }
}

std::optional<EndRecord> read_end_file(const std::filesystem::path& dir,
                                       std::vector<std::string>& warnings) {
    auto doc = read_json_document(dir / kEndFile, warnings);
    if (doc.is_null()) {
        return std::nullopt;
    }
    return end_from_json(doc);
}

}  // namespace blackbox::rundir
