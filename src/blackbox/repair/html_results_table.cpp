#include <fmt/format.h>

#include <blackbox/base/html_escape.hpp>
#include <blackbox/repair/html_results_table.hpp>
#include <blackbox/repair/html_tags.hpp>
#include <blackbox/repair/python_text.hpp>

namespace blackbox::repair {

using base::html_escape;
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

// pytest-html 3 shows durations as str(seconds) cut to two decimals ("0.00", "1.23").
std::string row_duration(double seconds) {
    auto text = python_float(seconds);
    auto dot = text.find('.');
    return dot == std::string::npos ? text : text.substr(0, dot + 3);
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
    std::string log;
    const std::string text = crash_details(crash);
    std::string_view details = text;
    while (!details.empty()) {
        auto newline = details.find('\n');
        log += html_escape(details.substr(0, newline)) + "<br/>";
        details =
            newline == std::string_view::npos ? std::string_view{} : details.substr(newline + 1);
    }
    auto result = crash_result(crash);
    return fmt::format(
        "<tbody class=\"{} results-table-row\">\n"
        "        <tr>\n"
        "          <td class=\"col-result\">{}</td>\n"
        "          <td class=\"col-name\">{}</td>\n"
        "          <td class=\"col-duration\">{}</td>\n"
        "          <td class=\"col-links\"></td></tr>\n"
        "        <tr>\n"
        "          <td class=\"extra\" colspan=\"4\">\n"
        "            <div class=\"log\">{}</div></td></tr></tbody>\n      ",
        lower_ascii(std::string(result)), result, html_escape(crash_test_id(crash)),
        row_duration(crash_duration(crash)), log);
}

}  // namespace blackbox::repair
