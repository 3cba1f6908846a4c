#include <algorithm>
#include <cerrno>

#include <blackbox/base/base64.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/rundir/json_document.hpp>
#include <blackbox/rundir/json_fields.hpp>
#include <blackbox/rundir/run_file.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::rundir {

namespace {

using nlohmann::json;

// The bytes `text` encodes in base64, or `text` itself when it is not base64.
std::string base64_or_text(const std::string& text) {
    try {
        return base::unbase64(text);
    } catch (const Error&) {
        return text;
    }
}

}  // namespace

json run_to_json(const RunRecord& run) {
    json doc = {{"format", 1},
                {"id", run.id},
                {"started", run.started ? json(*run.started) : json(nullptr)},
                {"started_ns", run.started_ns ? json(*run.started_ns) : json(nullptr)},
                {"recorder", run.recorder},
                {"context", run.context}};
    if (run.max_restarts > 0) {
        doc["max_restarts"] = run.max_restarts;
    }
    // Bytes to the kernel: kept exactly beside their text (a re-run must find them again).
    base::put_names(doc, "command", run.command);
    base::put_name(doc, "cwd", run.cwd);
    return doc;
}

RunRecord run_from_json(const json& doc) {
    RunRecord run;
    if (!doc.is_object()) {
        return run;
    }
    run.id = string_at(doc, "id").value_or("");
    run.recorder = string_at(doc, "recorder").value_or("");
    run.cwd = base::name_at(doc, "cwd").value_or("");
    run.started = string_at(doc, "started");
    run.started_ns = int64_at(doc, "started_ns");
    if (auto restarts = int64_at(doc, "max_restarts"); restarts && *restarts > 0) {
        run.max_restarts = static_cast<int>(std::min<std::int64_t>(*restarts, 1000));
    }
    auto command = doc.find("command_bytes");  // the exact words, when one is not UTF-8
    bool exact = command != doc.end() && command->is_array();
    if (!exact) {
        command = doc.find("command");
    }
    if (command != doc.end() && command->is_array()) {
        for (const auto& arg : *command) {
            if (arg.is_string()) {
                run.command.push_back(exact ? base64_or_text(arg.get<std::string>())
                                            : arg.get<std::string>());
            }
        }
    }
    if (auto context = doc.find("context"); context != doc.end() && context->is_object()) {
        run.context = *context;
    }
    if (auto facts = doc.find("context_facts"); facts != doc.end()) {
        run.context_facts = *facts;
    }
    return run;
}

int write_run_file(const base::Directory& run_dir, const RunRecord& run) noexcept {
    try {
        return write_json_document(run_dir, kRunFile, run_to_json(run));
    } catch (const std::exception&) {
        return ENOMEM;
    }
}

std::optional<RunRecord> read_run_file(const std::filesystem::path& dir,
                                       std::vector<std::string>& warnings) {
    auto doc = read_json_document(dir / kRunFile, warnings);
    if (doc.is_null()) {
        return std::nullopt;
    }
    return run_from_json(doc);
}

}  // namespace blackbox::rundir
