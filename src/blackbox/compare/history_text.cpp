#include "history_text.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <blackbox/base/memory_size.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/compare/metric.hpp>
#include <blackbox/compare/text_table.hpp>

namespace blackbox::compare {

namespace {

// Shown for a figure that was not measured.
constexpr const char* kNoFigure = "-";

std::string figure(Metric metric, const std::optional<double>& value) {
    return value ? format_metric_value(metric, *value) : kNoFigure;
}

}  // namespace

std::string format_signed_size(std::int64_t bytes) {
    if (bytes == 0) {
        return "0 B";
    }
    // The magnitude as unsigned: -INT64_MIN does not fit in an int64_t.
    auto magnitude =
        bytes < 0 ? 0 - static_cast<std::uint64_t>(bytes) : static_cast<std::uint64_t>(bytes);
    // Appended, not `"-" + text`: GCC 12 at -O3 warns (-Wrestrict) on that insertion.
    std::string text = bytes < 0 ? "-" : "+";
    text += base::format_size(magnitude);
    return text;
}

std::string history_text(const TestHistory& history) {
    std::string text;
    if (history.points.size() == history.recorded) {
        text = fmt::format("{}: {} recorded, oldest first\n", base::terminal_text(history.nodeid),
                           history.recorded == 1 ? std::string("1 session")
                                                 : fmt::format("{} sessions", history.recorded));
    } else {
        text = fmt::format("{}: the last {} of {} sessions recorded, oldest first\n",
                           base::terminal_text(history.nodeid), history.points.size(),
                           history.recorded);
    }
    TextTable table(
        {"run date (UTC)", "run id", "outcome", "wall", "cpu", "peak", "added", "retained"},
        {Align::left, Align::left, Align::left, Align::right, Align::right, Align::right,
         Align::right, Align::right});
    for (const auto& point : history.points) {
        const auto& test = point.test;
        table.add_row({started_for_people(point.session), point.session.run_id, test.outcome,
                       figure(Metric::wall, test.wall_s), figure(Metric::cpu, test.cpu_s),
                       test.peak_rss_bytes ? base::format_size(static_cast<std::uint64_t>(
                                                 std::max<std::int64_t>(*test.peak_rss_bytes, 0)))
                                           : kNoFigure,
                       figure(Metric::memory, metric_value(test, Metric::memory)),
                       test.retained_bytes ? format_signed_size(*test.retained_bytes) : kNoFigure});
    }
    return text + table.render("  ");
}

}  // namespace blackbox::compare
