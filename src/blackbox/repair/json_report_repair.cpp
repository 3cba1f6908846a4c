#include <algorithm>
#include <iterator>
#include <string_view>

#include <nlohmann/json.hpp>

#include <blackbox/base/json_text.hpp>
#include <blackbox/repair/json_report_repair.hpp>
#include <blackbox/repair/node_id.hpp>

namespace blackbox::repair {

namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kStages[] = {"setup", "call", "teardown"};

ojson stage(double duration, std::string_view outcome) {
    return {{"duration", duration}, {"outcome", outcome}};
}

ojson failed_stage(const CrashEntry& crash) {
    auto result = stage(crash_duration(crash), "failed");
    result["longrepr"] = crash_details(crash);
    return result;
}

ojson new_test(const CrashEntry& crash) {
    auto parts = split_node_id(crash.nodeid);
    ojson test;
    test["nodeid"] = crash.nodeid;
    test["lineno"] = nullptr;  // unknown: neither source records where the test is defined
    test["outcome"] = crash_outcome(crash);
    test["keywords"] = {parts.name, parts.file_name, "crashed"};
    auto phase = reported_phase(crash);
    if (phase == "setup") {
        test["setup"] = failed_stage(crash);
    } else {
        test["setup"] = stage(0.0, "passed");
        test["call"] = phase == "call" ? failed_stage(crash) : stage(0.0, "passed");
    }
    test["teardown"] = phase == "teardown" ? failed_stage(crash) : stage(0.0, "skipped");
    return test;
}

// The stage a crash without a known phase stopped: the first one the entry lacks.
std::string_view unreported_stage(const ojson& test) {
    for (const char* name : kStages) {
        if (!test.contains(name)) {
            return name;
        }
    }
    return "teardown";
}

void add_count(ojson& summary, const std::string& outcome, long delta) {
    long count = summary.contains(outcome) && summary[outcome].is_number_integer()
                     ? summary[outcome].get<long>()
                     : 0;
    count += delta;
    if (count > 0) {
        summary[outcome] = count;
    } else if (summary.contains(outcome)) {
        summary.erase(outcome);  // pytest-json-report leaves out outcomes nobody had
    }
}

bool already_failed(const ojson& test) {
    auto outcome = test.value("outcome", std::string());
    return outcome == "failed" || outcome == "error";
}

void mark(ojson& test, ojson& summary, const CrashEntry& logged) {
    auto crash = logged;
    if (!crash.phase) {
        crash.phase = std::string(unreported_stage(test));
        if (*crash.phase == "teardown") {
            crash = after_reported_call(logged);
        }
    }
    std::string_view phase = reported_phase(crash);
    test[std::string(phase)] = failed_stage(crash);
    std::string outcome = phase == "call" ? "failed" : "error";
    auto old = test.value("outcome", std::string());
    if (!old.empty()) {
        add_count(summary, old, -1);
    }
    add_count(summary, outcome, 1);
    test["outcome"] = outcome;
}

// pytest-json-report's order: the outcome counts, then total, collected and deselected.
void order_summary(ojson& summary) {
    constexpr const char* kLast[] = {"total", "collected", "deselected"};
    ojson ordered = ojson::object();
    for (const auto& [key, value] : summary.items()) {
        if (std::find(std::begin(kLast), std::end(kLast), key) == std::end(kLast)) {
            ordered[key] = value;
        }
    }
    for (const char* key : kLast) {
        if (summary.contains(key)) {
            ordered[key] = summary[key];
        }
    }
    summary = std::move(ordered);
}

ojson new_report(const RepairContext& context) {
    return {{"created", context.created_unix},
            {"duration", 0.0},
            {"exitcode", 1},
            {"root", context.root},
            {"environment", ojson::object()},
            {"summary", {{"total", 0}, {"collected", 0}}},
            {"collectors", ojson::array()},
            {"tests", ojson::array()}};
}

// The indentation the file was written with (pytest-json-report's --json-report-indent;
// pytest-abort writes 4), or -1 for a file on one line (the plugin's default).
int detect_indent(std::string_view text) {
    auto open = text.find_first_not_of(" \t\r\n");
    if (open == std::string_view::npos || open + 1 >= text.size() || text[open + 1] != '\n') {
        return -1;
    }
    auto first = text.find_first_not_of(' ', open + 2);
    return first == std::string_view::npos ? -1 : static_cast<int>(first - (open + 2));
}

}  // namespace

Patch repair_json_report(const std::optional<std::string>& existing,
                         const std::vector<CrashEntry>& crashes, const RepairContext& context) {
    ojson report;
    if (existing) {
        report = ojson::parse(*existing, nullptr, /*allow_exceptions=*/false);
        if (report.is_discarded()) {
            return Patch::failure("not valid JSON");
        }
        if (!report.is_object()) {
            return Patch::failure("not a pytest-json-report file (the top level is not an object)");
        }
        if (report.contains("tests") && !report["tests"].is_array()) {
            return Patch::failure("not a pytest-json-report file (`tests` is not a list)");
        }
        if (report.contains("summary") && !report["summary"].is_object()) {
            return Patch::failure("not a pytest-json-report file (`summary` is not an object)");
        }
    } else {
        report = new_report(context);
    }
    auto& tests = report["tests"];
    if (tests.is_null()) {
        tests = ojson::array();
    }
    auto& summary = report["summary"];
    if (summary.is_null()) {
        summary = ojson::object();
    }

    Patch patch;
    for (const auto& crash : crashes) {
        ojson* found = nullptr;
        for (auto& test : tests) {
            if (test.is_object() && test.value("nodeid", std::string()) == crash.nodeid) {
                found = &test;
                break;
            }
        }
        if (found == nullptr) {
            tests.push_back(new_test(crash));
            add_count(summary, std::string(crash_outcome(crash)), 1);
            add_count(summary, "total", 1);
            ++patch.added;
        } else if (already_failed(*found)) {
            ++patch.already;
        } else {
            mark(*found, summary, crash);
            ++patch.marked;
        }
    }
    if (patch.added + patch.marked == 0 && existing) {
        return patch;
    }
    if (summary.contains("collected") && summary["collected"].is_number_integer() &&
        summary.contains("total") && summary["total"].is_number_integer() &&
        summary["collected"].get<long>() < summary["total"].get<long>()) {
        summary["collected"] = summary["total"];
    }
    order_summary(summary);
    if (!report.contains("exitcode") || !report["exitcode"].is_number_integer() ||
        report["exitcode"] == 0 || report["exitcode"] == 5) {
        report["exitcode"] = 1;  // pytest's "tests failed" (5 was "no tests ran")
    }
    int indent = existing ? detect_indent(*existing) : 4;
    patch.text = base::json_text(report, indent);
    if (!existing || (!existing->empty() && existing->back() == '\n')) {
        *patch.text += '\n';
    }
    return patch;
}

}  // namespace blackbox::repair
