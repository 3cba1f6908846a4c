// `blackbox plan --shards N`: the suite split into N shards balanced by duration, each within a
// memory budget, from the history in the metrics database (docs/commands/plan.md).

#include <algorithm>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/memory_size.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/compare/metrics_database.hpp>
#include <blackbox/compare/sqlite_source.hpp>
#include <blackbox/plan/overhead.hpp>
#include <blackbox/plan/plan_json.hpp>
#include <blackbox/plan/plan_text.hpp>
#include <blackbox/plan/suite_history.hpp>
#include <blackbox/store/database.hpp>

#include "command_table.hpp"

namespace blackbox::cli {

namespace {

// Nothing to plan from: no session in the database (as compare's "nothing to compare").
constexpr int kNoHistory = 2;

// --workers-max when no session of the history recorded its machine's CPU count.
constexpr std::size_t kWorkersWithoutCpuCount = 4;

struct PlanOptions {
    std::size_t shards = 0;
    std::string budget;
    std::optional<std::size_t> workers_max;  // default: the history's runners' CPU count
    bool isolate_heavy = false;
    std::string heavy_threshold;
    std::string algorithm = "least_duration";
    std::string db;
    std::size_t last = 10;
    std::string output = "blackbox-plan.json";
};

// A size, or nothing (--isolate-heavy without its THRESHOLD).
std::string check_size(const std::string& text) {
    return text.empty() ? std::string() : base::parse_size(text).error;
}

std::int64_t size_of(const std::string& text) {
    return static_cast<std::int64_t>(*base::parse_size(text).bytes);
}

int make_plan(const PlanOptions& options) {
    auto path = options.db.empty() ? store::default_database_path(std::filesystem::current_path())
                                   : std::filesystem::path(options.db);
    auto database = compare::open_metrics_database(path);
    compare::SqliteSource source(database);
    auto history = plan::load_suite_history(source, options.last);
    if (history.tests.empty()) {
        throw Error(fmt::format("no test recorded in {}: nothing to plan from", path.string()),
                    kNoHistory);
    }

    plan::PlanRequest request;
    request.shards = options.shards;
    // The plan is for the runners that recorded the history, not for this machine: as many
    // workers as the smallest of them has CPUs, unless told.
    request.workers_max = options.workers_max.value_or(
        history.cpu_count ? static_cast<std::size_t>(*history.cpu_count) : kWorkersWithoutCpuCount);
    request.algorithm = options.algorithm == "duration_based_chunks"
                            ? plan::Algorithm::duration_based_chunks
                            : plan::Algorithm::least_duration;
    if (!options.budget.empty()) {
        request.memory_budget = size_of(options.budget);
    }
    if (options.isolate_heavy) {
        if (!options.heavy_threshold.empty()) {
            request.heavy_above = size_of(options.heavy_threshold);
        } else if (request.memory_budget) {
            // Heavier than its share of the budget when every worker runs: such tests are the
            // ones that must not meet.
            request.heavy_above =
                *request.memory_budget / static_cast<std::int64_t>(request.workers_max);
        } else {
            throw Error("--isolate-heavy needs a THRESHOLD or --memory-budget", kUsageError);
        }
    }

    plan::PlanOrigin origin;
    origin.database = path.string();
    origin.run_ids = history.run_ids;
    origin.created = base::iso8601_utc(base::wall_ns());
    origin.cpu_count = history.cpu_count;
    origin.workers_from_cpu_count = !options.workers_max && history.cpu_count.has_value();
    for (std::size_t workers = 0; workers <= request.workers_max; ++workers) {
        origin.overhead.push_back(
            plan::overhead_for(history.sessions, std::max<std::size_t>(workers, 1)));
        request.overhead_s.push_back(origin.overhead.back().total_s());
    }
    auto plan = plan::make_plan(history.tests, request);
    auto summary = plan::plan_text(plan);
    if (std::all_of(origin.overhead.begin(), origin.overhead.end(),
                    [](const plan::Overhead& cost) { return cost.sessions == 0; })) {
        summary +=
            "no session of the history recorded its start-up and collection (an older "
            "blackbox): the expected wall times are the tests' alone\n";
    }
    auto text = base::json_text(plan::plan_json(plan, history.tests, origin), 1) + "\n";
    if (options.output == "-") {
        std::cout << text;
        std::cerr << base::terminal_text(summary, base::Newlines::keep);
    } else {
        base::write_file_atomically(options.output, text);
        std::cout << base::terminal_text(summary, base::Newlines::keep);
        std::cout << fmt::format(
            "plan written to {}: run shard K with\n  python -m pytest --blackbox-shard-plan {} "
            "--blackbox-shard K [-n WORKERS{}]\n",
            options.output, options.output, request.heavy_above ? " --dist loadgroup" : "");
    }
    return 0;
}

}  // namespace

std::function<int()> setup_plan(CLI::App& app, const Invocation&) {
    auto options = std::make_shared<PlanOptions>();
    app.add_option("--shards", options->shards, "Number of shards (CI jobs)")
        ->required()
        ->check(CLI::PositiveNumber);
    app.add_option("--memory-budget", options->budget,
                   "Memory one shard's job may use (\"3GiB\"); sets its workers")
        ->check(check_size);
    app.add_option("--workers-max", options->workers_max,
                   "Most xdist workers a shard may use (default: the CPU count of the machines "
                   "that recorded the history, the smallest)")
        ->check(CLI::PositiveNumber);
    auto* isolate =
        app.add_option(
               "--isolate-heavy", options->heavy_threshold,
               "Run tests whose peak is above THRESHOLD (default: budget / workers-max) in one "
               "xdist group, one at a time")
            ->expected(0, 1)
            ->check(check_size);
    app.add_option("--algorithm", options->algorithm, "pytest-split's algorithm")
        ->check(CLI::IsMember({"least_duration", "duration_based_chunks"}))
        ->capture_default_str();
    app.add_option("--db", options->db, "Metrics database (default: .blackbox/metrics.db)");
    app.add_option("--last", options->last,
                   "Sessions of history to read, newest (0: all); a test's figures are its "
                   "medians over those it passed in")
        ->capture_default_str();
    app.add_option("-o,--output", options->output, "The plan file to write (-: standard output)")
        ->capture_default_str();
    app.footer(
        "Exit status: 0; 2 when the database holds no test or cannot be read; 4 for wrong "
        "arguments.");
    return [options, isolate] {
        options->isolate_heavy = isolate->count() > 0;
        return make_plan(*options);
    };
}

}  // namespace blackbox::cli
