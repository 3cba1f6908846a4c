// `blackbox compare [BASE [NEW]]`: per-test regressions in wall time, CPU and peak memory between
// sessions of the metrics database, with an exit status CI can gate on
// (docs/commands/compare.md).

#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/memory_size.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/base/text_scan.hpp>
#include <blackbox/compare/comparison_json.hpp>
#include <blackbox/compare/comparison_report.hpp>
#include <blackbox/compare/comparison_text.hpp>
#include <blackbox/compare/metrics_database.hpp>
#include <blackbox/compare/sqlite_source.hpp>
#include <blackbox/store/database.hpp>

#include "command_table.hpp"

namespace blackbox::cli {

namespace {

struct CompareOptions {
    std::string db;
    std::string base;
    std::string now;
    std::size_t last = 10;
    bool same_context = false;
    std::optional<double> spread, contention;
    std::optional<std::size_t> min_sessions;
    std::string time_rel, cpu_rel, mem_rel;   // fractions ("0.2") or percentages ("20%")
    std::optional<double> time_abs, cpu_abs;  // seconds
    std::string mem_abs;                      // a size ("10MiB")
    bool json = false;
    std::size_t limit = 20;
};

// "0.2" or "20%" as a fraction; empty when malformed.
std::optional<double> parse_fraction(std::string_view text) {
    bool percent = !text.empty() && text.back() == '%';
    if (percent) {
        text.remove_suffix(1);
    }
    auto value = base::parse_decimal(text);
    if (!value) {
        return std::nullopt;
    }
    return percent ? *value / 100 : *value;
}

std::string check_fraction(const std::string& text) {
    return parse_fraction(text) ? std::string() : "expected a fraction (0.2) or a percentage (20%)";
}

compare::Thresholds thresholds(const CompareOptions& options) {
    compare::Thresholds result;
    if (!options.time_rel.empty()) {
        result.wall.relative = *parse_fraction(options.time_rel);
    }
    if (!options.cpu_rel.empty()) {
        result.cpu.relative = *parse_fraction(options.cpu_rel);
    }
    if (!options.mem_rel.empty()) {
        result.memory.relative = *parse_fraction(options.mem_rel);
    }
    if (options.time_abs) {
        result.wall.absolute = *options.time_abs;
    }
    if (options.cpu_abs) {
        result.cpu.absolute = *options.cpu_abs;
    }
    if (!options.mem_abs.empty()) {
        result.memory.absolute = static_cast<double>(*base::parse_size(options.mem_abs).bytes);
    }
    result.spread = options.spread.value_or(result.spread);
    result.contention = options.contention.value_or(result.contention);
    result.min_sessions = options.min_sessions.value_or(result.min_sessions);
    return result;
}

int compare_sessions(const CompareOptions& options) {
    auto path = options.db.empty() ? store::default_database_path(std::filesystem::current_path())
                                   : std::filesystem::path(options.db);
    auto database = compare::open_metrics_database(path);
    compare::SqliteSource source(database);
    compare::ComparisonRequest request;
    request.base = options.base;
    request.now = options.now;
    request.last = options.last;
    request.require_same_context = options.same_context;
    request.thresholds = thresholds(options);
    auto report = compare::run_comparison(source, request);
    if (options.json) {
        std::cout << base::json_text(compare::comparison_json(report), 2, base::Ascii::yes) << "\n";
    } else {
        std::cout << base::terminal_text(compare::comparison_text(report, options.limit),
                                         base::Newlines::keep);
    }
    return compare::exit_status(report);
}

}  // namespace

std::function<int()> setup_compare(CLI::App& app, const Invocation&) {
    auto options = std::make_shared<CompareOptions>();
    app.add_option("--db", options->db, "Metrics database (default: .blackbox/metrics.db)");
    app.add_option("base", options->base,
                   "Baseline session: a run id, a SESSION_H prefix, latest or latest~N "
                   "(default: the median of the --last sessions before the newest)");
    app.add_option("new", options->now, "Session to judge (default: the newest)");
    app.add_option("--last", options->last,
                   "Without BASE: the baseline is the median of this many sessions before the "
                   "newest with the same settings, on the same execution context")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_flag("--same-context", options->same_context,
                 "Without BASE: refuse a baseline from other execution contexts (exit status 2) "
                 "instead of falling back to them");
    app.add_option("--min-sessions", options->min_sessions,
                   "Without BASE: judge a test only on at least this many baseline sessions in "
                   "which it passed (default 3)")
        ->check(CLI::PositiveNumber);
    app.add_option("--spread", options->spread,
                   "A change counts beyond this many robust standard deviations of the test's "
                   "baseline (default 5)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--contention", options->contention,
                   "Wall time a test may lose waiting for a processor, in multiples of its CPU "
                   "time (default 3); the wait the scheduler measured is allowed in full")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--time-rel", options->time_rel,
                   "Wall time regresses beyond this growth (0.2 or 20%; default 25%)")
        ->check(check_fraction);
    app.add_option("--time-abs", options->time_abs, "… and beyond this many seconds (default 0.02)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--cpu-rel", options->cpu_rel,
                   "CPU time (user + system) regresses beyond this growth (default 50%)")
        ->check(check_fraction);
    app.add_option("--cpu-abs", options->cpu_abs, "… and beyond this many seconds (default 0.05)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--mem-rel", options->mem_rel,
                   "The memory a test added (its peak over its start) regresses beyond this "
                   "growth (default 20%)")
        ->check(check_fraction);
    app.add_option("--mem-abs", options->mem_abs,
                   "… and beyond this SIZE (\"10MiB\", \"1.5G\"; default 10 MiB)")
        ->check([](const std::string& text) {
            auto parsed = base::parse_size(text);
            return parsed.bytes ? std::string() : parsed.error;
        });
    app.add_flag("--json", options->json, "Print the comparison as JSON");
    app.add_option("--limit", options->limit,
                   "Table rows per section, worst first (0: all; JSON is always complete)")
        ->capture_default_str();
    app.footer(
        "Only tests that passed on both sides are compared, and only with sessions of the same "
        "settings (xdist workers, fsync, shard). Exit status: 0 when no threshold is exceeded, "
        "1 when one is, 2 when there is nothing to compare against or the arguments are wrong.");
    return [options] { return compare_sessions(*options); };
}

}  // namespace blackbox::cli
