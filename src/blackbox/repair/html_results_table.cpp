#include <blackbox/base/html_escape.hpp>
#include <blackbox/repair/html_result.hpp>
#include <blackbox/repair/html_results_table.hpp>
#include <blackbox/repair/html_tags.hpp>

namespace blackbox::repair {

using base::html_unescape;

namespace {

std::string lower_ascii(std::string text) {
    for (auto& c : text) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return text;
}

// The text of an element up to the next tag, unescaped and trimmed of surrounding space.
std::string cell_text(std::string_view html, std::size_t from) {
    auto end = html.find('<', from);
    auto text = html.substr(from, end == std::string_view::npos ? html.size() - from : end - from);
    auto first = text.find_first_not_of(" \t\r\n");
    auto last = text.find_last_not_of(" \t\r\n");
    return first == std::string_view::npos ? std::string()
                                           : html_unescape(text.substr(first, last - first + 1));
}

bool is(const HtmlTag& tag, std::string_view name) {
    return !tag.closing && iequals(tag.name, name);
}

}  // namespace

std::optional<ResultsTable> find_results_table(std::string_view html) {
    std::optional<ResultsTable> table;
    int depth = 0;
    bool closed = false;
    HtmlResultRow* row = nullptr;
    for_each_tag(html, 0, [&](const HtmlTag& tag) {
        if (!table) {
            if (is(tag, "table") && tag.attribute(html, "id") == "results-table") {
                table.emplace();
                table->static_rows = tag.attribute(html, "data-rows") == "static";
                depth = 1;
            }
            return true;
        }
        if (iequals(tag.name, "table")) {
            depth += tag.closing ? -1 : 1;
            if (depth == 0) {
                if (table->rows.empty()) {
                    table->insert_at = tag.begin;
                }
                closed = true;
                return false;
            }
            return true;
        }
        auto classes = tag.attribute(html, "class").value_or("");
        if (is(tag, "tbody") && has_class(classes, "results-table-row")) {
            if (table->rows.empty()) {
                table->insert_at = tag.begin;
            }
            table->static_rows = true;
            row = &table->rows.emplace_back();
        } else if (row != nullptr && is(tag, "td") && has_class(classes, "col-result") &&
                   row->result.empty()) {
            row->result = lower_ascii(cell_text(html, tag.end));
        } else if (row != nullptr && is(tag, "td") &&
                   (has_class(classes, "col-name") || has_class(classes, "col-testId")) &&
                   row->test_id.empty()) {
            row->test_id = cell_text(html, tag.end);
        }
        return true;
    });
    if (!closed) {
        return std::nullopt;
    }
    return table;
}

std::string crash_test_id(const CrashEntry& crash) {
    auto phase = reported_phase(crash);
    return phase == "call" ? crash.nodeid : crash.nodeid + "::" + std::string(phase);
}

bool shows_failure(const std::vector<HtmlResultRow>& rows, const std::string& nodeid) {
    for (const auto& row : rows) {
        bool same = row.test_id == nodeid || row.test_id == nodeid + "::setup" ||
                    row.test_id == nodeid + "::teardown";
        if (same && (row.result == "failed" || row.result == "error")) {
            return true;
        }
    }
    return false;
}

std::string_view crash_result(const CrashEntry& crash) {
    return crash_outcome(crash) == "failed" ? "Failed" : "Error";
}

std::string crash_row_html(const CrashEntry& crash) {
    return result_row_html({std::string(crash_result(crash)), crash_test_id(crash),
                            crash_duration(crash), crash_details(crash)});
}

}  // namespace blackbox::repair
