#include "comparison_text.hpp"

#include <fmt/format.h>

#include <blackbox/compare/text_table.hpp>

namespace blackbox::compare {

namespace {

// A CPU factor is worth a note from 1.05 on.
constexpr double kCpuFactorShown = 1.05;

std::string describe_baseline(const Selection& selection) {
    const auto& baseline = selection.baseline;
    if (baseline.size() == 1) {
        return fmt::format("run {} ({} UTC, {})", baseline.front().run_id,
                           started_for_people(baseline.front()),
                           settings_for_people(baseline.front().settings));
    }
    return fmt::format("the median of {} runs with the same settings{} ({} … {})", baseline.size(),
                       selection.same_context ? " on the same execution context" : "",
                       baseline.front().run_id, baseline.back().run_id);
}

std::string plural(std::size_t count, const char* one, const char* many) {
    return fmt::format("{} {}", count, count == 1 ? one : many);
}

std::string coverage(const Comparison& comparison, std::size_t min_sessions) {
    std::vector<std::string> left_out;
    if (!comparison.without_baseline.empty()) {
        left_out.push_back(
            fmt::format("{} without a baseline", comparison.without_baseline.size()));
    }
    if (!comparison.little_history.empty()) {
        left_out.push_back(fmt::format("{} passed in fewer than {} baseline runs",
                                       comparison.little_history.size(), min_sessions));
    }
    if (!comparison.missing.empty()) {
        left_out.push_back(fmt::format("{} missing now", comparison.missing.size()));
    }
    if (!comparison.not_passed.empty()) {
        left_out.push_back(fmt::format("{} not passed now", comparison.not_passed.size()));
    }
    auto text = fmt::format("Compared {} that passed on both sides",
                            plural(comparison.compared, "test", "tests"));
    if (!left_out.empty()) {
        text += fmt::format("; not compared: {}", fmt::join(left_out, ", "));
    }
    return text + ".\n";
}

std::string change_table(const char* title, const std::vector<Change>& changes, std::size_t limit) {
    if (changes.empty()) {
        return "";
    }
    std::size_t shown = limit == 0 ? changes.size() : std::min(limit, changes.size());
    TextTable table(
        {"test", "metric", "base", "new", "change", "limit"},
        {Align::left, Align::left, Align::right, Align::right, Align::right, Align::right});
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& change = changes[i];
        table.add_row({change.nodeid, std::string(metric_name(change.metric)),
                       format_metric_value(change.metric, change.base),
                       format_metric_value(change.metric, change.now), format_change(change),
                       (change.now < change.base ? "-" : "+") +
                           format_metric_value(change.metric, change.limit)});
    }
    auto text = fmt::format("\n{} ({}):\n", title, changes.size()) + table.render("  ");
    if (shown < changes.size()) {
        text += fmt::format("  … and {} more (--limit 0 shows all)\n", changes.size() - shown);
    }
    return text;
}

}  // namespace

std::string format_change(const Change& change) {
    auto relative = change.relative();
    if (!relative) {
        return "+inf";
    }
    // Past +999% a factor reads better than a percentage: "×3219", not "+321888%".
    if (*relative >= 10) {
        return fmt::format("×{:.0f}", change.now / change.base);
    }
    return fmt::format("{:+.0f}%", *relative * 100);
}

std::string format_thresholds(const Thresholds& thresholds) {
    std::vector<std::string> parts;
    for (auto metric : kMetrics) {
        const auto& threshold = thresholds.of(metric);
        auto part = fmt::format("{} {:+.0f}% and {}", metric_name(metric), threshold.relative * 100,
                                format_metric_value(metric, threshold.absolute));
        if (metric == Metric::wall && thresholds.contention > 0) {
            part += fmt::format(" plus waits ({:g}× its CPU time, or as measured)",
                                thresholds.contention);
        }
        parts.push_back(std::move(part));
    }
    auto text = fmt::format("{}", fmt::join(parts, ", "));
    if (thresholds.min_sessions > 1 && thresholds.spread > 0) {
        text += fmt::format(", each at least {:g}× the test's spread", thresholds.spread);
    }
    return text;
}

std::string comparison_text(const ComparisonReport& report, std::size_t limit) {
    const auto& selection = report.selection;
    if (!selection.now || selection.baseline.empty()) {
        return fmt::format("Nothing to compare: {}.\n",
                           selection.note.empty() ? "no baseline session" : selection.note);
    }
    std::string text =
        fmt::format("Run {} ({} UTC, {}) against {}.\n", selection.now->run_id,
                    started_for_people(*selection.now),
                    settings_for_people(selection.now->settings), describe_baseline(selection));
    if (!selection.note.empty()) {
        text += fmt::format("Note: {}.\n", selection.note);
    }
    const auto& comparison = report.comparison;
    if (comparison.cpu_factor >= kCpuFactorShown) {
        text += fmt::format(
            "Note: this run's CPU times are ×{:.2f} the baseline's across its tests (a slower or "
            "busier machine): CPU regressions are judged after that factor.\n",
            comparison.cpu_factor);
    }
    text += coverage(comparison, report.thresholds.min_sessions);
    text += change_table("Regressions", comparison.regressions, limit);
    text += change_table("Improvements", comparison.improvements, limit);
    auto word = verdict(report);
    auto bounds = format_thresholds(report.thresholds);
    if (word == "nothing_to_compare") {
        text += fmt::format(
            "\nNothing to compare: no test passed on both sides{}.\n",
            report.thresholds.min_sessions > 1
                ? fmt::format(" in at least {} baseline runs", report.thresholds.min_sessions)
                : std::string());
    } else if (word == "regressed") {
        text +=
            fmt::format("\n{} beyond the thresholds ({}).\n",
                        plural(comparison.regressions.size(), "regression", "regressions"), bounds);
    } else {
        text += fmt::format("\nNo regression beyond the thresholds ({}).\n", bounds);
    }
    return text;
}

}  // namespace blackbox::compare
