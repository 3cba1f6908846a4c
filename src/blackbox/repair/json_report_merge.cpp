#include <algorithm>
#include <iterator>
#include <map>

#include <nlohmann/json.hpp>

#include <blackbox/base/json_text.hpp>
#include <blackbox/repair/json_report_merge.hpp>
#include <blackbox/repair/node_id.hpp>

namespace blackbox::repair {

namespace {

using ojson = nlohmann::ordered_json;

ojson stage(std::optional<double> seconds, const char* outcome) {
    return {{"duration", seconds.value_or(0.0)}, {"outcome", outcome}};
}

ojson with_text(ojson stage, const std::optional<std::string>& text) {
    if (text) {
        stage["longrepr"] = *text;
    }
    return stage;
}

ojson new_test(const TestEntry& test) {
    auto parts = split_node_id(test.nodeid);
    ojson object;
    object["nodeid"] = test.nodeid;
    object["lineno"] = nullptr;  // the journals do not record where a test is defined
    const auto& outcome = test.outcome;
    object["outcome"] = outcome == "not_run" ? "skipped" : outcome;
    object["keywords"] = {parts.name, parts.file_name};
    if (outcome == "skipped" || outcome == "not_run") {
        auto text = test.longrepr ? test.longrepr : std::optional<std::string>(test.message);
        object["setup"] = with_text(stage(test.setup_s, "skipped"), text);
        object["teardown"] = stage(test.teardown_s, "passed");
    } else if (outcome == "error" && test.failed_phase == "setup") {
        object["setup"] = with_text(stage(test.setup_s, "failed"), test.longrepr);
        object["teardown"] = stage(test.teardown_s, "passed");
    } else {
        object["setup"] = stage(test.setup_s, "passed");
        if (outcome == "failed") {
            object["call"] = with_text(stage(test.call_s, "failed"), test.longrepr);
        } else if (outcome == "xfailed") {
            object["call"] = with_text(stage(test.call_s, "skipped"), test.longrepr);
        } else {
            object["call"] = stage(test.call_s, "passed");
        }
        object["teardown"] = outcome == "error"
                                 ? with_text(stage(test.teardown_s, "failed"), test.longrepr)
                                 : stage(test.teardown_s, "passed");
    }
    if (test.properties.is_array() && !test.properties.empty()) {
        ojson properties = ojson::array();
        for (const auto& pair : test.properties) {
            if (pair.is_array() && pair.size() == 2 && pair[0].is_string()) {
                properties.push_back({{pair[0].get<std::string>(), ojson::parse(pair[1].dump())}});
            }
        }
        object["user_properties"] = std::move(properties);
    }
    return object;
}

// The indentation a file was written with, or -1 for one line (pytest-json-report's default).
int detect_indent(std::string_view text) {
    auto open = text.find_first_not_of(" \t\r\n");
    if (open == std::string_view::npos || open + 1 >= text.size() || text[open + 1] != '\n') {
        return -1;
    }
    auto first = text.find_first_not_of(' ', open + 2);
    return first == std::string_view::npos ? -1 : static_cast<int>(first - (open + 2));
}

void drop_resume_marks(ojson& collectors, const std::set<std::string>& selected) {
    for (auto& collector : collectors) {
        if (!collector.is_object() || !collector.contains("result") ||
            !collector["result"].is_array()) {
            continue;
        }
        for (auto& item : collector["result"]) {
            if (item.is_object() && item.contains("deselected") &&
                selected.contains(item.value("nodeid", std::string()))) {
                item.erase("deselected");
            }
        }
    }
}

}  // namespace

Patch merge_json_report(const std::vector<std::string>& attempts,
                        const std::vector<TestEntry>& tests, const JsonReportRun& run,
                        const RepairContext& context) {
    ojson report;
    int indent = 4;
    std::set<std::string> present, collectors_seen;
    double duration = 0;
    std::size_t collected = run.collected;
    for (std::size_t i = 0; i < attempts.size(); ++i) {
        auto attempt = ojson::parse(attempts[i], nullptr, /*allow_exceptions=*/false);
        if (attempt.is_discarded()) {
            return Patch::failure("not valid JSON");
        }
        if (!attempt.is_object() || (attempt.contains("tests") && !attempt["tests"].is_array())) {
            return Patch::failure("not a pytest-json-report file");
        }
        if (attempt.contains("duration") && attempt["duration"].is_number()) {
            duration += attempt["duration"].get<double>();
        }
        if (auto summary = attempt.find("summary");
            summary != attempt.end() && summary->is_object() && summary->contains("collected") &&
            (*summary)["collected"].is_number_unsigned()) {
            collected = std::max(collected, (*summary)["collected"].get<std::size_t>());
        }
        if (report.is_null()) {
            indent = detect_indent(attempts[i]);
            report = std::move(attempt);
            if (!report.contains("tests")) {
                report["tests"] = ojson::array();
            }
            for (const auto& test : report["tests"]) {
                present.insert(test.is_object() ? test.value("nodeid", std::string()) : "");
            }
            if (report.contains("collectors") && report["collectors"].is_array()) {
                for (const auto& collector : report["collectors"]) {
                    collectors_seen.insert(
                        collector.is_object() ? collector.value("nodeid", std::string()) : "");
                }
            }
            continue;
        }
        for (auto& test : attempt.value("tests", ojson::array())) {
            auto nodeid = test.is_object() ? test.value("nodeid", std::string()) : std::string();
            if (present.insert(nodeid).second) {
                report["tests"].push_back(std::move(test));
            }
        }
        if (attempt.contains("collectors") && attempt["collectors"].is_array()) {
            auto& joined = report["collectors"];
            if (!joined.is_array()) {
                joined = ojson::array();
            }
            for (auto& collector : attempt["collectors"]) {
                auto nodeid = collector.is_object() ? collector.value("nodeid", std::string()) : "";
                if (collectors_seen.insert(nodeid).second) {
                    joined.push_back(std::move(collector));
                }
            }
        }
        if (attempt.contains("warnings") && attempt["warnings"].is_array()) {
            auto& joined = report["warnings"];
            if (!joined.is_array()) {
                joined = ojson::array();
            }
            for (auto& warning : attempt["warnings"]) {
                joined.push_back(std::move(warning));
            }
        }
    }
    if (report.is_null()) {
        report = {{"created", context.created_unix}, {"duration", 0.0},
                  {"exitcode", run.exitcode},        {"root", context.root},
                  {"environment", ojson::object()},  {"summary", ojson::object()},
                  {"collectors", ojson::array()},    {"tests", ojson::array()}};
    }
    Patch patch;
    for (const auto& test : tests) {
        if (present.insert(test.nodeid).second) {
            report["tests"].push_back(new_test(test));
            duration += test.duration_s;
            ++patch.added;
        }
    }
    if (report.contains("collectors") && report["collectors"].is_array()) {
        drop_resume_marks(report["collectors"], run.selected);
    }
    // The summary as pytest-json-report counts it: each outcome, then total, collected,
    // deselected.
    ojson summary = ojson::object();
    std::size_t total = 0;
    for (const auto& test : report["tests"]) {
        if (!test.is_object()) {
            continue;
        }
        auto outcome = test.value("outcome", std::string("passed"));
        summary[outcome] = summary.value(outcome, 0) + 1;
        ++total;
    }
    summary["total"] = total;
    summary["collected"] = std::max(collected, total);
    if (run.deselected > 0) {
        summary["deselected"] = run.deselected;
    }
    report["summary"] = std::move(summary);
    report["duration"] = duration;
    report["exitcode"] = run.exitcode;
    patch.text = base::json_text(report, indent);
    if (attempts.empty() || (!attempts.front().empty() && attempts.front().back() == '\n')) {
        *patch.text += '\n';
    }
    return patch;
}

std::string order_json_report(const std::string& text, const std::vector<std::string>& nodeids) {
    auto report = ojson::parse(text, nullptr, /*allow_exceptions=*/false);
    if (report.is_discarded() || !report.is_object() || !report.contains("tests") ||
        !report["tests"].is_array()) {
        return text;
    }
    std::map<std::string, std::size_t> rank;
    for (const auto& nodeid : nodeids) {
        rank.emplace(nodeid, rank.size());
    }
    auto position = [&rank](const ojson& test) {
        auto found = rank.find(test.is_object() ? test.value("nodeid", std::string()) : "");
        return found == rank.end() ? rank.size() : found->second;
    };
    auto& tests = report["tests"];
    std::stable_sort(tests.begin(), tests.end(), [&position](const ojson& a, const ojson& b) {
        return position(a) < position(b);
    });
    auto ordered = base::json_text(report, detect_indent(text));
    if (!text.empty() && text.back() == '\n') {
        ordered += '\n';
    }
    return ordered;
}

}  // namespace blackbox::repair
