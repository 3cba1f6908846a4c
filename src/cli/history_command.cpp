// `blackbox history NODEID`: one test's wall time, CPU and memory across the sessions of the
// metrics database, newest last (docs/commands/history.md).

#include <iostream>
#include <memory>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/compare/history_json.hpp>
#include <blackbox/compare/history_text.hpp>
#include <blackbox/compare/metrics_database.hpp>
#include <blackbox/compare/sqlite_source.hpp>
#include <blackbox/compare/test_history.hpp>
#include <blackbox/store/database.hpp>

#include "command_table.hpp"

namespace blackbox::cli {

namespace {

// A test no session ran: the user's mistake, as for compare's selectors.
constexpr int kUnknownTest = 2;

constexpr std::size_t kSuggestions = 5;

struct HistoryOptions {
    std::string nodeid;
    std::string db;
    std::size_t last = 20;
    bool json = false;
};

int show_history(const HistoryOptions& options) {
    auto path = options.db.empty() ? store::default_database_path(std::filesystem::current_path())
                                   : std::filesystem::path(options.db);
    auto database = compare::open_metrics_database(path);
    compare::SqliteSource source(database);
    auto named = compare::load_named_history(source, options.nodeid, options.last, kSuggestions);
    const auto& history = named.history;
    if (history.points.empty()) {
        std::string message = fmt::format("no session in {} ran {}", path.string(), options.nodeid);
        if (!named.candidates.empty()) {
            message +=
                fmt::format("; recorded node ids containing it{}:\n  {}",
                            named.more ? " include" : "", fmt::join(named.candidates, "\n  "));
        }
        throw Error(message, kUnknownTest);
    }
    if (options.json) {
        std::cout << base::json_text(compare::history_json(history), 2, base::Ascii::yes) << "\n";
    } else {
        std::cout << base::terminal_text(compare::history_text(history), base::Newlines::keep);
    }
    return 0;
}

}  // namespace

std::function<int()> setup_history(CLI::App& app, const Invocation&) {
    auto options = std::make_shared<HistoryOptions>();
    app.add_option("nodeid", options->nodeid,
                   "The test's pytest node id, or a part of it that "
                   "only one recorded node id contains")
        ->required();
    app.add_option("--db", options->db, "Metrics database (default: .blackbox/metrics.db)");
    app.add_option("--last", options->last, "Show the last N sessions that ran it (0: all)")
        ->capture_default_str();
    app.add_flag("--json", options->json, "Print the history as JSON");
    app.footer(
        "Exit status: 0; 2 when no session ran the test (or several recorded node ids contain "
        "the text given), the database cannot be read or the arguments are wrong.");
    return [options] { return show_history(*options); };
}

}  // namespace blackbox::cli
