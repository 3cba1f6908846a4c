#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/gzip.hpp>
#include <blackbox/wire/json_body.hpp>
#include <blackbox/wire/report_block_check.hpp>
#include <blackbox/wire/report_upload.hpp>

namespace blackbox::wire {

namespace {

using nlohmann::json;

// The top-level members the verdict reads; the others (tests, samples, failures, …) are skipped
// while parsing.
const std::set<std::string, std::less<>> kHeadMembers = {"format",         "run",         "crashes",
                                                         "collect_errors", "left_behind", "gc"};

// The members a report's script needs, with their types: a block without them is not a report.
const std::pair<const char*, json::value_t> kRequired[] = {
    {"run", json::value_t::object},     {"samples", json::value_t::object},
    {"tests", json::value_t::object},   {"crashes", json::value_t::array},
    {"prefixes", json::value_t::array}, {"outcomes", json::value_t::array},
    {"workers", json::value_t::array}};

std::mutex one_at_a_time;

ReportHead refuse(int status, std::string error) {
    return {std::nullopt, status, std::move(error)};
}

}  // namespace

ReportHead read_report_head(std::string_view gzipped) {
    std::lock_guard lock(one_at_a_time);
    std::string text;
    try {
        text = base::gunzip(gzipped, kMaxReportJson);
    } catch (const Error& error) {
        const bool large = std::string_view(error.what()).starts_with("decompresses");
        return refuse(
            large ? 413 : 422,
            fmt::format("report: the body is not the report's data as gzip: {}", error.what()));
    }
    if (nests_too_deep(text)) {
        return refuse(422,
                      fmt::format("report: the data nests deeper than {} levels", kMaxJsonDepth));
    }
    // Every member its page reads, typed (read as a stream: no tree of the whole block).
    if (auto problem = check_report_block(text)) {
        return refuse(422, std::move(*problem));
    }
    // A member the verdict does not read is skipped at its key: never built as a tree.
    std::map<std::string, json::value_t, std::less<>> types;  // of every top-level member
    std::string key;
    auto keep = [&](int depth, json::parse_event_t event, json& parsed) {
        if (depth != 1) {
            return true;
        }
        switch (event) {
            case json::parse_event_t::key:
                key = parsed.get<std::string>();
                return kHeadMembers.count(key) != 0;
            case json::parse_event_t::object_start:
                types[key] = json::value_t::object;
                return true;
            case json::parse_event_t::array_start:
                types[key] = json::value_t::array;
                return true;
            case json::parse_event_t::value:
                types[key] = parsed.type();
                return true;
            default:
                return true;
        }
    };
    json head = json::parse(text, keep, false);
    text = {};
    if (head.is_discarded() || !head.is_object()) {
        return refuse(422, "report: the data is not a JSON object");
    }
    const auto format = head.find("format");
    if (format == head.end() || *format != 1) {
        return refuse(422, "report: format must be 1 (docs/formats/report-html.md)");
    }
    for (const auto& [name, type] : kRequired) {
        auto found = types.find(name);
        if (found == types.end() || found->second != type) {
            return refuse(422, fmt::format("report: {} must be an {}", name,
                                           type == json::value_t::object ? "object" : "array"));
        }
    }
    return {std::move(head), 0, {}};
}

}  // namespace blackbox::wire
