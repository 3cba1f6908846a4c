#include <algorithm>

#include <nlohmann/json.hpp>

#include <blackbox/base/html_escape.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/repair/html_jsonblob.hpp>
#include <blackbox/repair/html_repair.hpp>
#include <blackbox/repair/html_result.hpp>
#include <blackbox/repair/html_results_table.hpp>
#include <blackbox/repair/html_standalone.hpp>
#include <blackbox/repair/html_summary.hpp>

namespace blackbox::repair {

using base::valid_utf8;

namespace {

using ojson = nlohmann::ordered_json;

std::string lower_ascii(std::string text) {
    for (auto& c : text) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return text;
}

// Every result of the blob's tests as rows, whatever shape `tests` has: pytest-html 4 keys
// lists of results by node id; pytest-abort's pages key single results by "test_N".
std::vector<HtmlResultRow> blob_rows(const ojson& tests) {
    std::vector<HtmlResultRow> rows;
    auto add = [&rows](const ojson& result, const std::string& key) {
        if (!result.is_object()) {
            return;
        }
        auto id = result.value("testId", key);
        rows.push_back({lower_ascii(result.value("result", std::string())), id});
    };
    for (const auto& [key, value] : tests.items()) {
        if (value.is_array()) {
            for (const auto& result : value) {
                add(result, key);
            }
        } else {
            add(value, key);
        }
    }
    return rows;
}

void add_to_blob(ojson& tests, const CrashEntry& crash, const std::string& cell_class) {
    auto result = blob_result({std::string(crash_result(crash)), crash_test_id(crash),
                               crash_duration(crash), crash_details(crash)},
                              cell_class);
    add_blob_result(tests, crash.nodeid, std::move(result));
}

}  // namespace

void add_blob_result(ojson& tests, const std::string& nodeid, ojson result) {
    if (tests.is_array()) {
        tests.push_back(std::move(result));
        return;
    }
    auto key = valid_utf8(nodeid);
    auto& slot = tests[key];
    if (slot.is_null()) {
        slot = ojson::array();
    } else if (!slot.is_array()) {
        slot = ojson::array({slot});
    }
    slot.push_back(std::move(result));
}

Patch repair_html(const std::optional<std::string>& existing,
                  const std::vector<CrashEntry>& crashes, const RepairContext& context,
                  std::string_view title) {
    const std::string page = existing ? *existing : standalone_page(title, context);
    auto blob = find_jsonblob(page);
    auto table = find_results_table(page);
    if (!blob && !table) {
        return Patch::failure(
            "not a pytest-html report (neither a data-jsonblob nor a results table)");
    }
    std::optional<ojson> data;
    if (blob) {
        std::string error;
        data = parse_jsonblob(*blob, error);
        if (!data) {
            return Patch::failure(error);
        }
        if (!data->is_object()) {
            return Patch::failure("data-jsonblob is not a JSON object");
        }
        auto& tests = (*data)["tests"];
        if (tests.is_null()) {
            tests = ojson::object();
        } else if (!tests.is_object() && !tests.is_array()) {
            return Patch::failure("data-jsonblob's `tests` is neither an object nor a list");
        }
    }
    auto shown = data ? blob_rows((*data)["tests"]) : table->rows;
    bool static_rows = table && (table->static_rows || !blob);
    auto cell_class = data ? blob_cell_class((*data)["tests"]) : std::string("col-name");

    Patch patch;
    std::string rows_html;
    long failed = 0, errors = 0;
    for (const auto& crash : crashes) {
        if (shows_failure(shown, crash.nodeid)) {
            ++patch.already;
            continue;
        }
        bool listed = std::any_of(shown.begin(), shown.end(), [&](const HtmlResultRow& row) {
            return row.test_id == crash.nodeid;
        });
        const auto entry = listed ? after_reported_call(crash) : crash;
        if (data) {
            add_to_blob((*data)["tests"], entry, cell_class);
        }
        if (static_rows) {
            rows_html += crash_row_html(entry);
        }
        shown.push_back({lower_ascii(std::string(crash_result(entry))), crash_test_id(entry)});
        (crash_outcome(entry) == "failed" ? failed : errors) += 1;
        ++patch.added;
    }
    if (patch.added == 0 && existing) {
        return patch;
    }
    // Edit from the back of the page to the front so that earlier offsets stay valid.
    std::string text = page;
    bool blob_first = blob && table && blob->value_begin < table->insert_at;
    auto insert_rows = [&] {
        if (static_rows) {
            text.insert(table->insert_at, rows_html);
        }
    };
    auto write_blob = [&] {
        if (data) {
            auto json = base::json_text(*data);
            text = replace_jsonblob(text, *blob, json);
        }
    };
    if (blob_first) {
        insert_rows();
        write_blob();
    } else {
        write_blob();
        insert_rows();
    }
    if (failed > 0) {
        text = add_to_outcome_count(text, "failed", failed);
        text = add_to_run_count(text, failed);
    }
    if (errors > 0) {
        text = add_to_outcome_count(text, "error", errors);
    }
    patch.text = std::move(text);
    return patch;
}

}  // namespace blackbox::repair
