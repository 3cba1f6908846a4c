#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/html_escape.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/repair/html_standalone.hpp>

namespace blackbox::repair {

using base::html_escape;

namespace {

constexpr std::string_view kStyle =
    "body{font-family:Helvetica,Arial,sans-serif;font-size:12px;color:#222;margin:1em 2em}"
    "table{border-collapse:collapse}th,td{border:1px solid #e6e6e6;padding:5px;"
    "text-align:left;vertical-align:top}.failed,.error{color:#c00}"
    ".log{font-family:monospace;white-space:pre-wrap;background:#fafafa}";

}  // namespace

std::string standalone_page(std::string_view title, const RepairContext& context) {
    auto name = html_escape(title);
    nlohmann::ordered_json data = {{"environment", nlohmann::ordered_json::object()},
                                   {"tests", nlohmann::ordered_json::object()},
                                   {"renderCollapsed", {"passed"}},
                                   {"initialSort", "result"},
                                   {"title", std::string(title)}};
    auto blob = base::json_text(data);
    return fmt::format(
        "<!DOCTYPE html>\n"
        "<html>\n"
        "  <head>\n"
        "    <meta charset=\"utf-8\"/>\n"
        "    <meta name=\"generator\" content=\"blackbox postprocess\"/>\n"
        "    <title id=\"head-title\">{0}</title>\n"
        "    <style>{1}</style>\n"
        "  </head>\n"
        "  <body>\n"
        "    <h1 id=\"title\">{0}</h1>\n"
        "    <p>Written by blackbox postprocess on {2}: the test session ended before its HTML "
        "report was written. The tests below crashed.</p>\n"
        "    <div class=\"summary\">\n"
        "      <p class=\"run-count\">0 tests took 00:00:00.</p>\n"
        "      <span class=\"failed\">0 Failed,</span>\n"
        "      <span class=\"error\">0 Errors</span>\n"
        "    </div>\n"
        "    <table id=\"results-table\" data-rows=\"static\">\n"
        "      <thead id=\"results-table-head\">\n"
        "        <tr><th>Result</th><th>Test</th><th>Duration</th><th>Links</th></tr>\n"
        "      </thead>\n"
        "    </table>\n"
        "    <div id=\"data-container\" data-jsonblob=\"{3}\"></div>\n"
        "  </body>\n"
        "</html>\n",
        name, kStyle, html_escape(context.timestamp), html_escape(blob));
}

}  // namespace blackbox::repair
