#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include <blackbox/base/json_text.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/repair/html_jsonblob.hpp>
#include <blackbox/repair/html_merge.hpp>
#include <blackbox/repair/html_repair.hpp>
#include <blackbox/repair/html_result.hpp>
#include <blackbox/repair/html_results_table.hpp>
#include <blackbox/repair/html_standalone.hpp>
#include <blackbox/repair/html_summary.hpp>
#include <blackbox/repair/html_tags.hpp>

namespace blackbox::repair {

namespace {

using ojson = nlohmann::ordered_json;

// The node id a row's test id names ("…::setup" and "…::teardown" are its errors).
std::string nodeid_of(const std::string& test_id) {
    for (std::string_view suffix : {"::setup", "::teardown"}) {
        if (test_id.size() > suffix.size() && test_id.ends_with(suffix)) {
            return test_id.substr(0, test_id.size() - suffix.size());
        }
    }
    return test_id;
}

// The <tbody class="… results-table-row">…</tbody> of a page's results table, as text, in order.
std::vector<std::string> row_texts(std::string_view html) {
    std::vector<std::string> rows;
    bool in_table = false;
    std::optional<std::size_t> row_begin;
    for_each_tag(html, 0, [&](const HtmlTag& tag) {
        if (!in_table) {
            in_table = !tag.closing && iequals(tag.name, "table") &&
                       tag.attribute(html, "id") == "results-table";
            return true;
        }
        if (iequals(tag.name, "table") && tag.closing) {
            return false;
        }
        if (iequals(tag.name, "tbody")) {
            if (!tag.closing &&
                has_class(tag.attribute(html, "class").value_or(""), "results-table-row")) {
                row_begin = tag.begin;
            } else if (tag.closing && row_begin) {
                rows.emplace_back(html.substr(*row_begin, tag.end - *row_begin));
                rows.back() += "\n      ";
                row_begin.reset();
            }
        }
        return true;
    });
    return rows;
}

std::vector<HtmlResult> results_of(const TestEntry& test) {
    const auto& outcome = test.outcome;
    const auto call = test.call_s.value_or(0.0);
    const std::string text = test.longrepr.value_or(test.message);
    if (outcome == "failed") {
        return {{"Failed", test.nodeid, call, text}};
    }
    if (outcome == "error" && test.failed_phase == "setup") {
        return {{"Error", test.nodeid + "::setup", test.setup_s.value_or(0.0), text}};
    }
    if (outcome == "error") {
        return {{"Passed", test.nodeid, call, ""},
                {"Error", test.nodeid + "::teardown", test.teardown_s.value_or(0.0), text}};
    }
    if (outcome == "skipped" || outcome == "not_run") {
        return {{"Skipped", test.nodeid, test.setup_s.value_or(0.0), test.message}};
    }
    if (outcome == "xfailed") {
        return {{"XFailed", test.nodeid, call, test.message}};
    }
    if (outcome == "xpassed") {
        return {{"XPassed", test.nodeid, call, test.message}};
    }
    return {{"Passed", test.nodeid, call, ""}};
}

std::string other_page_error(const std::string& why) {
    return "another attempt's page cannot be merged with the first: " + why;
}

std::optional<ojson> blob_data(const std::optional<JsonBlob>& blob, std::string& error) {
    if (!blob) {
        return std::nullopt;
    }
    auto data = parse_jsonblob(*blob, error);
    if (!data) {
        return std::nullopt;
    }
    if (!data->is_object()) {
        error = "data-jsonblob is not a JSON object";
        return std::nullopt;
    }
    auto& tests = (*data)["tests"];
    if (tests.is_null()) {
        tests = ojson::object();
    } else if (!tests.is_object() && !tests.is_array()) {
        error = "data-jsonblob's `tests` is neither an object nor a list";
        return std::nullopt;
    }
    return data;
}

}  // namespace

Patch merge_html(const std::vector<std::string>& attempts, const std::vector<TestEntry>& tests,
                 const RepairContext& context, std::string_view title) {
    const std::string page = attempts.empty() ? standalone_page(title, context) : attempts.front();
    auto blob = find_jsonblob(page);
    auto table = find_results_table(page);
    if (!blob && !table) {
        return Patch::failure(
            "not a pytest-html report (neither a data-jsonblob nor a results table)");
    }
    std::string error;
    auto data = blob_data(blob, error);
    if (blob && !data) {
        return Patch::failure(error);
    }
    const bool static_rows = table && (table->static_rows || !blob);
    const auto cell_class = data ? blob_cell_class((*data)["tests"]) : std::string("col-name");

    std::set<std::string> shown;  // node ids the page shows
    if (data && (*data)["tests"].is_object()) {
        for (const auto& [key, value] : (*data)["tests"].items()) {
            shown.insert(key);
        }
    }
    if (table) {
        for (const auto& row : table->rows) {
            shown.insert(nodeid_of(row.test_id));
        }
    }
    std::map<std::string, long> added;  // results added, by class ("passed", …)
    std::string rows_html;
    for (std::size_t i = 1; i < attempts.size(); ++i) {
        const auto& other = attempts[i];
        auto other_blob = data ? find_jsonblob(other) : std::nullopt;
        auto other_table = data ? std::nullopt : find_results_table(other);
        if (data) {
            auto other_data = blob_data(other_blob, error);
            if (!other_data) {
                return Patch::failure(
                    other_page_error(other_blob ? error : "it has no data-jsonblob"));
            }
            for (const auto& [key, value] : (*other_data)["tests"].items()) {
                if (!shown.insert(key).second) {
                    continue;
                }
                for (const auto& result : value.is_array() ? value : ojson::array({value})) {
                    if (result.is_object()) {
                        added[result_class(result.value("result", std::string()))] += 1;
                    }
                    add_blob_result((*data)["tests"], key, result);
                }
            }
        }
        if (!data) {  // pytest-html 3: the rows themselves
            if (!other_table) {
                return Patch::failure(other_page_error("it has no results table"));
            }
            auto texts = row_texts(other);
            std::set<std::string> joined;
            for (std::size_t r = 0; r < other_table->rows.size() && r < texts.size(); ++r) {
                const auto& row = other_table->rows[r];
                auto nodeid = nodeid_of(row.test_id);
                if (shown.contains(nodeid)) {
                    continue;
                }
                joined.insert(nodeid);
                rows_html += texts[r];
                added[row.result] += 1;
            }
            shown.insert(joined.begin(), joined.end());
        }
    }
    Patch patch;
    for (const auto& test : tests) {
        if (!shown.insert(test.nodeid).second) {
            continue;
        }
        for (const auto& result : results_of(test)) {
            if (data) {
                add_blob_result((*data)["tests"], test.nodeid, blob_result(result, cell_class));
            }
            if (static_rows) {
                rows_html += result_row_html(result);
            }
            added[result_class(result.result)] += 1;
        }
        ++patch.added;
    }
    // Edit from the back of the page to the front so that earlier offsets stay valid.
    std::string text = page;
    const bool blob_first = blob && table && blob->value_begin < table->insert_at;
    auto insert_rows = [&] {
        if (static_rows && !rows_html.empty()) {
            text.insert(table->insert_at, rows_html);
        }
    };
    auto write_blob = [&] {
        if (data) {
            text = replace_jsonblob(text, *blob, base::json_text(*data));
        }
    };
    if (blob_first) {
        insert_rows();
        write_blob();
    } else {
        write_blob();
        insert_rows();
    }
    long tests_run = 0;
    for (const auto& [outcome, count] : added) {
        text = add_to_outcome_count(text, outcome, count);
        if (outcome != "error") {
            tests_run += count;  // pytest-html counts an error beside its test, not as one
        }
    }
    if (tests_run > 0) {
        text = add_to_run_count(text, tests_run);
    }
    patch.text = std::move(text);
    return patch;
}

}  // namespace blackbox::repair
