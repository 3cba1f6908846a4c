#include <algorithm>
#include <pugixml.hpp>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include <blackbox/repair/csv_table.hpp>
#include <blackbox/repair/html_jsonblob.hpp>
#include <blackbox/repair/html_results_table.hpp>
#include <blackbox/repair/node_id.hpp>
#include <blackbox/repair/report_coverage.hpp>

namespace blackbox::repair {

namespace {

std::optional<std::set<std::string>> junit_names(const std::string& text) {
    pugi::xml_document doc;
    if (!doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8)) {
        return std::nullopt;
    }
    std::set<std::string> names;
    for (auto testcase : doc.select_nodes("//testcase")) {
        auto node = testcase.node();
        names.insert(std::string(node.attribute("classname").value()) + '\n' +
                     node.attribute("name").value());
    }
    return names;
}

std::optional<std::set<std::string>> json_report_ids(const std::string& text) {
    auto report = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (report.is_discarded() || !report.is_object() || !report.contains("tests") ||
        !report["tests"].is_array()) {
        return std::nullopt;
    }
    std::set<std::string> ids;
    for (const auto& test : report["tests"]) {
        if (test.is_object() && test.contains("nodeid") && test["nodeid"].is_string()) {
            ids.insert(test["nodeid"].get<std::string>());
        }
    }
    return ids;
}

std::optional<std::set<std::string>> csv_ids(const std::string& text) {
    auto records = parse_csv(text);
    if (!records || records->empty()) {
        return std::nullopt;
    }
    const auto& header = records->front();
    auto id = std::find_if(header.begin(), header.end(), [](const std::string& name) {
        return name == "id" || name == "nodeid";
    });
    if (id == header.end()) {
        return std::nullopt;
    }
    auto column = static_cast<std::size_t>(id - header.begin());
    std::set<std::string> ids;
    for (auto record = records->begin() + 1; record != records->end(); ++record) {
        if (record->size() > column) {
            ids.insert((*record)[column]);
        }
    }
    return ids;
}

std::optional<std::set<std::string>> html_ids(const std::string& text) {
    std::set<std::string> ids;
    bool understood = false;
    if (auto blob = find_jsonblob(text)) {
        std::string error;
        auto data = parse_jsonblob(*blob, error);
        if (data && data->is_object() && data->contains("tests") && (*data)["tests"].is_object()) {
            understood = true;
            for (const auto& [key, value] : (*data)["tests"].items()) {
                ids.insert(key);
            }
        }
    }
    if (auto table = find_results_table(text)) {
        understood = true;
        for (const auto& row : table->rows) {
            auto id = row.test_id;
            for (std::string_view suffix : {"::setup", "::teardown"}) {
                if (id.size() > suffix.size() && id.ends_with(suffix)) {
                    id.resize(id.size() - suffix.size());
                }
            }
            ids.insert(id);
        }
    }
    return understood ? std::optional(ids) : std::nullopt;
}

}  // namespace

std::optional<std::size_t> tests_missing(ReportKind kind, const std::string& text,
                                         const std::vector<std::string>& nodeids) {
    std::optional<std::set<std::string>> shown;
    switch (kind) {
        case ReportKind::junit:
            shown = junit_names(text);
            break;
        case ReportKind::json_report:
            shown = json_report_ids(text);
            break;
        case ReportKind::csv:
            shown = csv_ids(text);
            break;
        case ReportKind::html:
            shown = html_ids(text);
            break;
    }
    if (!shown) {
        return std::nullopt;
    }
    std::size_t missing = 0;
    for (const auto& nodeid : nodeids) {
        std::string key = nodeid;
        if (kind == ReportKind::junit) {
            auto parts = split_node_id(nodeid);
            key = parts.junit_classname + '\n' + parts.junit_name;
        }
        missing += shown->contains(key) ? 0U : 1U;
    }
    return missing;
}

}  // namespace blackbox::repair
