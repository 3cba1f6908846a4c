#include "comparison_json.hpp"

#include <cmath>

namespace blackbox::compare {

namespace {

nlohmann::ordered_json session_json(const Session& session) {
    auto settings = nlohmann::ordered_json::parse(session.settings, nullptr, false);
    return {{"run_id", session.run_id},
            {"session_h", session.session_h},
            {"env_h", session.env_h},
            {"started", session.started},
            {"settings", settings.is_discarded() ? nullptr : settings}};
}

// Memory figures are bytes: a median of an even count may end in .5, rounded away here.
nlohmann::ordered_json figure_json(Metric metric, double value) {
    if (metric == Metric::memory) {
        return std::llround(value);
    }
    return value;
}

nlohmann::ordered_json changes_json(const std::vector<Change>& changes) {
    auto list = nlohmann::ordered_json::array();
    for (const auto& change : changes) {
        auto relative = change.relative();
        list.push_back({{"nodeid", change.nodeid},
                        {"metric", metric_name(change.metric)},
                        {"base", figure_json(change.metric, change.base)},
                        {"new", figure_json(change.metric, change.now)},
                        {"change", relative ? nlohmann::ordered_json(*relative) : nullptr},
                        {"spread", figure_json(change.metric, change.spread)},
                        {"limit", figure_json(change.metric, change.limit)},
                        {"baseline_sessions", change.baseline_sessions}});
    }
    return list;
}

}  // namespace

nlohmann::ordered_json comparison_json(const ComparisonReport& report) {
    const auto& selection = report.selection;
    const auto& comparison = report.comparison;
    nlohmann::ordered_json json;
    json["format"] = 1;
    json["verdict"] = verdict(report);
    json["exit_code"] = exit_status(report);
    json["new"] = selection.now ? session_json(*selection.now) : nullptr;
    auto baseline = nlohmann::ordered_json::array();
    for (const auto& session : selection.baseline) {
        baseline.push_back(session_json(session));
    }
    auto settings = nlohmann::ordered_json::parse(
        selection.now ? selection.now->settings : std::string("null"), nullptr, false);
    json["baseline"] = {
        {"sessions", baseline},
        {"same_context", selection.same_context},
        {"settings", settings.is_discarded() ? nullptr : settings},
        {"same_settings", selection.same_settings},
        {"other_settings", selection.other_settings},
        {"note", selection.note.empty() ? nullptr : nlohmann::ordered_json(selection.note)}};
    auto thresholds = nlohmann::ordered_json::object();
    for (auto metric : kMetrics) {
        const auto& threshold = report.thresholds.of(metric);
        thresholds[std::string(metric_name(metric))] = {
            {"relative", threshold.relative},
            {"absolute", figure_json(metric, threshold.absolute)}};
    }
    thresholds["spread"] = report.thresholds.spread;
    thresholds["contention"] = report.thresholds.contention;
    thresholds["slice"] = report.thresholds.slice;
    thresholds["min_sessions"] = report.thresholds.min_sessions;
    json["thresholds"] = thresholds;
    json["cpu_factor"] = comparison.cpu_factor;
    json["compared"] = comparison.compared;
    json["regressions"] = changes_json(comparison.regressions);
    json["improvements"] = changes_json(comparison.improvements);
    json["without_baseline"] = comparison.without_baseline;
    json["little_history"] = comparison.little_history;
    json["missing"] = comparison.missing;
    auto not_passed = nlohmann::ordered_json::array();
    for (const auto& test : comparison.not_passed) {
        not_passed.push_back({{"nodeid", test.nodeid}, {"outcome", test.outcome}});
    }
    json["not_passed"] = not_passed;
    return json;
}

}  // namespace blackbox::compare
