#include <fmt/format.h>

#include <blackbox/base/html_escape.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/serve/dashboard.hpp>

namespace blackbox::serve {

namespace {

using nlohmann::json;

std::string e(std::string_view text) {
    return base::html_text(text);  // stored texts are untrusted: any bytes
}

// A JSON value as escaped text: "" for null, numbers as written.
std::string cell(const json& value) {
    if (value.is_null()) {
        return "";
    }
    if (value.is_string()) {
        return e(value.get<std::string>());
    }
    if (value.is_number_float()) {
        return fmt::format("{:.3f}", value.get<double>());
    }
    return e(base::json_text(value));
}

std::string text_of(const json& object, const char* key) {
    auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

std::string mib(const json& bytes) {
    return bytes.is_number() ? fmt::format("{:.1f}", bytes.get<double>() / (1024.0 * 1024.0)) : "";
}

std::string page(std::string_view title, std::string_view body) {
    return fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\">"
        "<title>{} · blackbox</title>"
        "<link rel=\"stylesheet\" href=\"/assets/dashboard.css\">"
        "<link rel=\"stylesheet\" href=\"/assets/uplot.css\"></head>\n<body>"
        "<header><a href=\"/\">blackbox</a> · {}</header>\n<main>{}</main></body></html>\n",
        e(title), e(title), body);
}

// JSON inside a <script type="application/json">: no "</script>" or "<!--" can appear.
std::string script_json(const json& value) {
    std::string out;
    for (char c : base::json_text(value)) {
        switch (c) {
            case '<':
                out += "\\u003c";
                break;
            case '>':
                out += "\\u003e";
                break;
            case '&':
                out += "\\u0026";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string status_cell(const json& row) {
    auto status = text_of(row, "status");
    return fmt::format("<td class=\"status {}\">{}</td>", e(status), e(status));
}

std::string test_link(const std::string& nodeid) {
    return fmt::format("<a href=\"/tests?nodeid={}\">{}</a>", e(url_encode(nodeid)), e(nodeid));
}

}  // namespace

std::string url_encode(std::string_view text) {
    std::string out;
    for (char raw : text) {
        auto c = static_cast<unsigned char>(raw);
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

std::string runs_page(const json& runs) {
    std::string rows;
    for (const auto& run : runs) {
        const auto session = text_of(run, "session_h");
        rows += fmt::format(
            "<tr><td>{}</td><td><a href=\"/runs/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}"
            "</td>{}<td>{}</td><td>{}</td><td>{}</td><td class=\"crashed\">{}</td><td>{}</td>"
            "</tr>\n",
            cell(run["started"]), e(session), cell(run["run_id"]), cell(run["branch"]),
            e(text_of(run, "scm_id").substr(0, 10)), cell(run["machine"]), status_cell(run),
            cell(run["collected"]), cell(run["passed"]), cell(run["failed"]), cell(run["crashed"]),
            cell(run["duration_s"]));
    }
    if (rows.empty()) {
        rows =
            "<tr><td colspan=\"11\">No runs yet: <code>blackbox push RUN_DIR --server "
            "URL</code> or <code>blackbox run --server URL</code>.</td></tr>";
    }
    return page("runs",
                fmt::format("<table><thead><tr><th>started (UTC)</th><th>run</th><th>branch</th>"
                            "<th>commit</th><th>machine</th><th>status</th><th>tests</th>"
                            "<th>passed</th><th>failed</th><th>crashed</th><th>seconds</th>"
                            "</tr></thead>\n<tbody>{}</tbody></table>",
                            rows));
}

// A run's description, pytest-monitor's object (docs/formats/metrics-db.md, RUN_DESCRIPTION):
// its message first (`description` as pytest-monitor's code writes it, `msg` as its
// documentation and older blackbox runs did), then each tag or CI field as `key=value`.
std::string description_text(const json& description) {
    if (description.is_string()) {
        return description.get<std::string>();
    }
    if (!description.is_object()) {
        return "";
    }
    std::string text;
    for (const char* key : {"description", "msg"}) {
        if (auto it = description.find(key); it != description.end() && it->is_string()) {
            text = it->get<std::string>();
            break;
        }
    }
    for (const auto& [key, value] : description.items()) {
        if (key == "description" || key == "msg") {
            continue;
        }
        text += fmt::format("{}{}={}", text.empty() ? "" : " · ", key,
                            value.is_string() ? value.get<std::string>() : base::json_text(value));
    }
    return text;
}

// The machine the run's context row names: host, system, CPU and Python.
std::string machine_text(const json& run) {
    std::string text;
    for (const char* key : {"machine", "system_info", "cpu", "python_info"}) {
        const auto part = text_of(run, key);
        if (!part.empty()) {
            text += (text.empty() ? "" : " · ") + part;
        }
    }
    return text;
}

std::string run_page(const json& run) {
    std::string crashes;
    for (const auto& crash : run["crashes"]) {
        const auto nodeid = text_of(crash, "nodeid");
        crashes += fmt::format(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            nodeid.empty() ? "" : test_link(nodeid), cell(crash["phase"]), cell(crash["cause"]),
            cell(crash["signal"]), cell(crash["worker"]), cell(crash["evidence"]));
    }
    std::string tests;
    for (const auto& test : run["tests"]) {
        tests += fmt::format(
            "<tr><td>{}</td><td class=\"status {}\">{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td></tr>\n",
            test_link(text_of(test, "nodeid")), e(text_of(test, "outcome")), cell(test["outcome"]),
            cell(test["worker"]), cell(test["call_s"]), cell(test["total_s"]),
            mib(test["peak_rss_bytes"]));
    }
    std::string command;
    for (const auto& word : run.value("command", json::array())) {
        command += (command.empty() ? "" : " ") + (word.is_string() ? word.get<std::string>() : "");
    }
    // Hashes are [0-9A-Za-z_-]: safe in a path as they are.
    const auto report =
        run.value("report", false)
            ? fmt::format(
                  "<p class=\"report-link\"><a href=\"/runs/{}/report\">The run's report: "
                  "its memory timeline, every test and each crash's stack</a></p>\n",
                  e(text_of(run, "session_h")))
            : std::string("<p class=\"report-link\">No report was pushed with this run.</p>\n");
    auto body =
        report +
        fmt::format(
            "<table class=\"facts\"><tr><th>run</th><td>{}</td></tr><tr><th>status</th>{}</tr>"
            "<tr><th>command</th><td><code>{}</code></td></tr><tr><th>started</th><td>{}</td></tr>"
            "<tr><th>seconds</th><td>{}</td></tr><tr><th>commit</th><td>{}</td></tr>"
            "<tr><th>description</th><td>{}</td></tr><tr><th>machine</th><td>{}</td></tr>"
            "<tr><th>tests</th><td>{} collected, {} passed, {} failed, {} crashed, {} not run</td>"
            "</tr></table>\n<h2>Crashes</h2><table><thead><tr><th>test</th><th>phase</th>"
            "<th>cause</th><th>signal</th><th>worker</th><th>evidence</th></tr></thead><tbody>{}"
            "</tbody></table>\n<h2>Tests</h2><table><thead><tr><th>test</th><th>outcome</th>"
            "<th>worker</th><th>call s</th><th>total s</th><th>peak MiB</th></tr></thead><tbody>{}"
            "</tbody></table>",
            cell(run["run_id"]), status_cell(run), e(command), cell(run["started"]),
            cell(run["duration_s"]), cell(run["scm_id"]),
            e(description_text(run.value("description", json()))), e(machine_text(run)),
            cell(run["collected"]), cell(run["passed"]), cell(run["failed"]), cell(run["crashed"]),
            cell(run["not_run"]), crashes, tests);
    return page(fmt::format("run {}", text_of(run, "run_id")), body);
}

std::string history_page(const std::string& nodeid, const json& history) {
    std::string rows;
    json chart = {{"started", json::array()},
                  {"call_s", json::array()},
                  {"peak_mib", json::array()},
                  {"branch", json::array()}};
    for (const auto& row : history) {
        rows += fmt::format(
            "<tr><td>{}</td><td><a href=\"/runs/{}\">{}</a></td><td>{}</td><td>{}</td>"
            "<td class=\"status {}\">{}</td><td>{}</td><td>{}</td></tr>\n",
            cell(row["started"]), e(text_of(row, "session_h")), cell(row["run_id"]),
            cell(row["branch"]), cell(row["machine"]), e(text_of(row, "outcome")),
            cell(row["outcome"]), cell(row["call_s"]), mib(row["peak_rss_bytes"]));
        chart["started"].push_back(row["started"]);
        chart["call_s"].push_back(row["call_s"]);
        const auto& peak = row["peak_rss_bytes"];
        chart["peak_mib"].push_back(peak.is_number() ? json(peak.get<double>() / 1048576.0)
                                                     : json(nullptr));
        chart["branch"].push_back(row["branch"]);
    }
    auto body = fmt::format(
        "<h1><code>{}</code></h1><div id=\"time-chart\"></div><div id=\"memory-chart\"></div>"
        "<script type=\"application/json\" id=\"history-data\">{}</script>"
        "<script src=\"/assets/uplot.js\"></script><script src=\"/assets/dashboard.js\"></script>"
        "<table><thead><tr><th>started (UTC)</th><th>run</th><th>branch</th><th>machine</th>"
        "<th>outcome</th><th>call s</th><th>peak MiB</th></tr></thead><tbody>{}</tbody></table>",
        e(nodeid), script_json(chart), rows);
    return page(nodeid, body);
}

std::string_view dashboard_js() {
    // Draws the history page's two charts from its JSON block; text goes through uPlot's
    // labels only (never innerHTML).
    return R"JS("use strict";
(function () {
  const block = document.getElementById("history-data");
  if (!block || typeof uPlot === "undefined") return;
  const data = JSON.parse(block.textContent);
  const xs = data.started.map((t) => (t ? Date.parse(t + "Z") / 1000 : null));
  const width = Math.min(1000, document.body.clientWidth - 40);
  function chart(id, label, values, unit) {
    const target = document.getElementById(id);
    new uPlot({ title: label, width: width, height: 240,
                series: [{}, { label: label, stroke: "#3367d6", points: { show: true } }],
                axes: [{}, { label: unit }] },
              [xs, values], target);
  }
  chart("time-chart", "call phase", data.call_s, "seconds");
  chart("memory-chart", "peak memory", data.peak_mib, "MiB");
})();
)JS";
}

std::string_view dashboard_css() {
    return R"CSS(body { font: 14px system-ui, sans-serif; margin: 0; color: #222; }
header { background: #222; color: #eee; padding: 8px 16px; }
header a { color: #fff; font-weight: bold; text-decoration: none; }
main { padding: 16px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; }
td { font-variant-numeric: tabular-nums; }
.status.passed { color: #1a7f37; } .status.failed, .status.error { color: #b35900; }
.status.crashed { color: #c00; font-weight: bold; }
td.crashed { color: #c00; }
code { word-break: break-all; }
)CSS";
}

}  // namespace blackbox::serve
