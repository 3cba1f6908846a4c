#include <cstdio>

#include <fmt/format.h>

#include <blackbox/base/html_escape.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/repair/html_result.hpp>
#include <blackbox/repair/python_text.hpp>

namespace blackbox::repair {

using base::html_escape;
using base::html_text;
using base::valid_utf8;

namespace {

// pytest-html 3 shows durations as str(seconds) cut to two decimals ("0.00", "1.23").
std::string row_duration(double seconds) {
    auto text = python_float(seconds);
    auto dot = text.find('.');
    return dot == std::string::npos ? text : text.substr(0, dot + 3);
}

}  // namespace

std::string result_class(std::string_view result) {
    std::string lower(result);
    for (auto& c : lower) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return lower;
}

std::string blob_cell_class(const nlohmann::ordered_json& tests) {
    auto dump = base::json_text(tests);
    bool testid = dump.find("col-testId") != std::string::npos;
    bool name = dump.find("col-name") != std::string::npos;
    return name && !testid ? "col-name" : "col-testId";
}

std::string blob_duration(double seconds) {
    if (seconds < 1) {
        return std::to_string(static_cast<long>(seconds * 1000 + 0.5)) + " ms";
    }
    auto whole = static_cast<long>(seconds + 0.5);
    char text[32];
    std::snprintf(text, sizeof text, "%02ld:%02ld:%02ld", whole / 3600, whole / 60 % 60,
                  whole % 60);
    return text;
}

nlohmann::ordered_json blob_result(const HtmlResult& result, const std::string& cell_class) {
    auto duration = blob_duration(result.seconds);
    return {{"extras", nlohmann::ordered_json::array()},
            {"result", result.result},
            {"testId", valid_utf8(result.test_id)},
            {"duration", duration},
            {"resultsTableRow",
             {"<td class=\"col-result\">" + result.result + "</td>",
              "<td class=\"" + cell_class + "\">" + html_text(result.test_id) + "</td>",
              "<td class=\"col-duration\">" + duration + "</td>", "<td class=\"col-links\"></td>"}},
            {"log", html_text(result.log)}};
}

std::string result_row_html(const HtmlResult& result) {
    std::string log;
    std::string_view details = result.log;
    while (!details.empty()) {
        auto newline = details.find('\n');
        log += html_escape(details.substr(0, newline)) + "<br/>";
        details =
            newline == std::string_view::npos ? std::string_view{} : details.substr(newline + 1);
    }
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
        result_class(result.result), html_escape(result.result), html_escape(result.test_id),
        row_duration(result.seconds), log);
}

}  // namespace blackbox::repair
