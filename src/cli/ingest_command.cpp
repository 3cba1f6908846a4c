// `blackbox ingest [--db PATH] [RUN_DIR...]`: store recorded runs in the metrics database
// (docs/commands/ingest.md), for runs recorded by plain pytest or whose supervisor died.

#include <iostream>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/store/ingest.hpp>

#include "command_table.hpp"

namespace blackbox::cli {

namespace {

struct IngestOptions {
    std::string database;
    std::vector<std::string> run_dirs;
};

// Each run is stored in its own transaction: one that cannot be read is said and skipped, the
// others are still stored; the exit status is then that run's error's.
int ingest(const IngestOptions& options) {
    const auto cwd = std::filesystem::current_path();
    const std::filesystem::path path = options.database.empty()
                                           ? store::default_database_path(cwd)
                                           : std::filesystem::path(options.database);
    auto database = store::open_database(path);
    std::vector<std::string> dirs = options.run_dirs;
    if (dirs.empty()) {
        dirs.emplace_back();  // the latest run
    }
    int status = 0;
    for (const auto& given : dirs) {
        try {
            auto dir = resolve_run_dir(given);
            auto summary = store::ingest_run_directory(database, dir);
            std::cout << fmt::format(
                "blackbox: stored {}: {} tests, {} metrics rows, {} crashes (session {})\n",
                base::terminal_text(dir.lexically_proximate(cwd).string()), summary.tests,
                summary.metrics, summary.crashes, summary.session_h);
        } catch (const Error& error) {
            std::cerr << "blackbox: " << base::terminal_text(error.what(), base::Newlines::keep)
                      << "\n";
            status = error.exit_code();
        }
    }
    std::cout << "blackbox: metrics database "
              << base::terminal_text(path.lexically_proximate(cwd).string()) << "\n";
    return status;
}

}  // namespace

std::function<int()> setup_ingest(CLI::App& app, const Invocation&) {
    auto options = std::make_shared<IngestOptions>();
    app.footer(
        "RUN_DIR defaults to the latest run (.blackbox/latest). Ingesting a run again replaces "
        "its rows.\nExit status: 0 when every run was stored; 2 when a run directory cannot be "
        "read or the database cannot be opened or written (not SQLite, another program's, a "
        "newer schema).");
    app.add_option("--db", options->database,
                   "The metrics database (default: .blackbox/metrics.db in the current "
                   "directory; created when missing)");
    app.add_option("run_dirs", options->run_dirs, "Run directories to store")->type_name("RUN_DIR");
    return [options] { return ingest(*options); };
}

}  // namespace blackbox::cli
