// `blackbox run [OPTIONS] [-- COMMAND...]`: record a pytest run (docs/commands/run.md).

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/memory_size.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/context/command_output.hpp>
#include <blackbox/context/execution_context.hpp>
#include <blackbox/plugin/interpreter_isolation.hpp>
#include <blackbox/plugin/plugin_environment.hpp>
#include <blackbox/record/finish_run.hpp>
#include <blackbox/record/recording.hpp>
#include <blackbox/report/report_set.hpp>
#include <blackbox/rundir/run_directory.hpp>
#include <blackbox/rundir/run_file.hpp>
#include <blackbox/rundir/run_files.hpp>
#include <blackbox/rundir/space_reserve.hpp>
#include <blackbox/store/database.hpp>
#include <blackbox/supervise/command_lookup.hpp>

#include "command_table.hpp"
#include "report_options.hpp"

namespace blackbox::cli {

namespace {

namespace fs = std::filesystem;

using record::kRecorderError;

struct RunOptions {
    std::string run_dir;
    std::string python = "python3";
    std::size_t keep_runs = 20;
    bool fsync = false;
    bool no_pty = false;
    bool no_status = false;
    double hang_timeout_s = 0;
    double interval_s = 0.05;
    std::string memory_max;
    bool memory_watchdog = false;
    bool no_cgroup = false;
    double dump_fraction = 0.9;
    int oom_score_adj = 500;
    report::ReportSet reports;
    int max_restarts = 0;
    std::string output_log_max = "64M";  // --output-log-max; "0": no cap
    std::string database;                // --db; empty: .blackbox/metrics.db
    bool no_metrics = false;
    push::PushOptions push;  // --server, --token: empty url, no push
    std::vector<std::string> command;
};

// Whether the Python that `isolated` starts imports pytest_blackbox without PYTHONPATH (the
// plugin installed into that environment): asked of that Python itself, with the same options.
bool imports_plugin(const plugin::IsolatedInterpreter& isolated) {
    auto probe = isolated.probe_prefix;
    probe.insert(probe.end(), {"-c",
                               "import importlib.util as u\n"
                               "print(u.find_spec('pytest_blackbox') is not None)"});
    return context::command_output(probe).value_or("") == "True\n";
}

// A command whose Python ignores PYTHONPATH (-I, -E) cannot get the plugin through it, and
// PYTEST_PLUGINS would then stop pytest before it collects: refused before anything runs,
// unless that Python has the plugin installed.
void check_injection(const std::vector<std::string>& command, const fs::path& program) {
    auto isolated = plugin::isolated_command(command, program);
    if (!isolated || imports_plugin(*isolated)) {
        return;
    }
    std::string interpreter;
    for (const auto& word : isolated->probe_prefix) {
        interpreter += (interpreter.empty() ? "" : " ") + word;
    }
    throw Error(fmt::format("cannot record this command: `{}` ({}) ignores PYTHONPATH, through "
                            "which blackbox injects its pytest plugin, and that Python has no "
                            "pytest_blackbox installed; nothing was run. Run it without {}, or "
                            "install pytest-blackbox into that Python "
                            "(docs/commands/run.md, \"Isolated Python\")",
                            interpreter, isolated->where, isolated->flag),
                kRecorderError);
}

int run(const RunOptions& options, const Invocation& invocation) {
    std::vector<std::string> command = options.command;
    if (command.empty()) {
        command = {options.python, "-m", "pytest"};
    }
    const char* path_env = std::getenv("PATH");
    auto program = supervise::find_executable(command[0], path_env ? path_env : "");
    if (!program) {
        std::cerr << "blackbox: command not found: " << base::terminal_text(command[0]) << "\n";
        return 127;
    }
    check_injection(command, *program);
    auto plugin_dir = plugin::find_plugin_directory(invocation.executable);
    if (!plugin_dir) {
        throw Error("cannot find the bundled pytest plugin (pytest_blackbox) next to " +
                        invocation.executable.string() + "; set BLACKBOX_PLUGIN_PATH",
                    kRecorderError);
    }

    const auto cwd = fs::current_path();
    const auto state = rundir::state_dir(cwd);
    const auto started_wall = base::wall_ns();
    const auto started_ns = base::monotonic_ns();
    const auto id = rundir::new_run_id(started_wall);
    rundir::NewRunDirectory made;
    try {
        made = rundir::create_run_directory(state, id, options.run_dir);
    } catch (const Error& error) {
        throw Error(error.what(), kRecorderError);
    }
    const fs::path run_dir = made.path;
    const base::Directory& directory = made.directory;
    // Room for end.json and postmortem.json, should the disk fill up while pytest runs.
    rundir::SpaceReserve reserve(directory);
    std::vector<record::WriteFailure> failures;
    rundir::RunRecord run_record;
    run_record.id = id;
    run_record.started = base::iso8601_utc(started_wall);
    run_record.started_ns = started_ns;
    run_record.recorder = "supervisor";
    run_record.command = command;
    run_record.max_restarts = options.max_restarts;
    run_record.cwd = cwd.string();
    run_record.context = context::gather_execution_context(context::system_sources());
    if (int error = rundir::write_run_file(directory, run_record); error != 0) {
        record::note_write_failure(directory, rundir::kRunFile, error, failures, std::cerr);
    }

    record::RecordingOptions recording;
    recording.command = command;
    recording.run_dir = run_dir;
    recording.directory = &directory;
    recording.output_log_max = *base::parse_size(options.output_log_max).bytes;
    recording.plugin_dir = *plugin_dir;
    recording.native_library =
        plugin::find_native_library(invocation.executable).value_or(fs::path());
    recording.fsync = options.fsync;
    recording.allow_terminal = !options.no_pty;
    recording.status_line = !options.no_status;
    recording.max_restarts = options.max_restarts;
    auto& watch = recording.watch;
    watch.interval = std::chrono::duration<double>(options.interval_s);
    if (!options.memory_max.empty()) {
        watch.memory_max = base::parse_size(options.memory_max).bytes;
    }
    watch.memory_max_watchdog_only = options.memory_watchdog;
    watch.tree_cgroup = !options.no_cgroup;
    watch.dump_fraction = options.dump_fraction;
    if (options.hang_timeout_s > 0) {
        watch.hang_timeout = std::chrono::duration<double>(options.hang_timeout_s);
    }
    watch.oom_score_adj = options.oom_score_adj;
    recording.on_first_start = [&](pid_t) {
        rundir::update_latest_link(state, run_dir);
        if (options.run_dir.empty()) {
            rundir::prune_runs(state, options.keep_runs, run_dir);
        }
    };
    // A line that starts with '\n' first ends the command's unfinished output line.
    recording.say = [](const std::string& line) {
        std::string_view text = line;
        if (text.starts_with('\n')) {
            std::cerr << '\n';
            text.remove_prefix(1);
        }
        std::cerr << "blackbox: " << base::terminal_text(text, base::Newlines::keep) << "\n";
    };
    auto result = record::record(recording);
    if (result.spawn_errno) {
        reserve.release();
        rundir::remove_run_directory(run_dir);
        std::cerr << "blackbox: cannot run " << base::terminal_text(command[0]) << ": "
                  << std::strerror(*result.spawn_errno) << "\n";
        return result.spawn_not_found ? 127 : 126;
    }
    // pytest has ended: the room kept for the last files is theirs now, attempts.json first.
    reserve.release();
    record::FinishOptions finish;
    finish.run_dir = run_dir;
    finish.directory = &directory;
    finish.started_wall_ns = started_wall;
    finish.cwd = cwd;
    finish.reports = options.reports;
    if (!options.no_metrics) {
        finish.database = options.database.empty() ? store::default_database_path(cwd)
                                                   : fs::path(options.database);
    }
    finish.push = options.push;
    finish.color = ::isatty(STDERR_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
    return record::finish_run(finish, std::move(result), std::move(failures), std::cerr);
}

}  // namespace

std::function<int()> setup_run(CLI::App& app, const Invocation& invocation) {
    auto options = std::make_shared<RunOptions>();
    app.footer(
        "COMMAND is the whole command that runs pytest (default: python3 -m pytest).\n"
        "Exit status: pytest's own; 128+N when pytest died of signal N; its exit code (1 for 0)\n"
        "when it ended without finishing its session; 127 when the command does not exist.");
    app.add_option("--run-dir", options->run_dir,
                   "Record into DIR instead of .blackbox/runs/<timestamp>-<id>/");
    app.add_option("--python", options->python,
                   "Interpreter for the default command `PYTHON -m pytest`")
        ->capture_default_str();
    app.add_option("--keep-runs", options->keep_runs,
                   "Keep at most N runs in .blackbox/runs (older ones are deleted)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_flag("--fsync", options->fsync,
                 "fdatasync() every journal record (survives power loss; costs ~0.1 ms/record)");
    app.add_option("--hang-timeout", options->hang_timeout_s,
                   "A test phase (setup, call or teardown) running longer than SECONDS is a "
                   "hang: dump its stacks and kill its process")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--memory-max", options->memory_max,
                   "Run the pytest tree under a memory limit of SIZE (\"2G\", \"512MiB\", "
                   "\"1.5GB\"; units are powers of 1024): a cgroup where the machine allows, "
                   "else a watchdog that kills the tree at the limit")
        ->check([](const std::string& text) {
            auto parsed = base::parse_size(text);
            return parsed.bytes && *parsed.bytes > 0 ? std::string() : parsed.error;
        });
    app.add_flag("--memory-watchdog", options->memory_watchdog,
                 "Enforce --memory-max with the watchdog only, even where a cgroup is possible");
    app.add_flag("--no-cgroup", options->no_cgroup,
                 "Never put the pytest tree in a cgroup (by default one follows it, so processes "
                 "that leave its process group are still found and stopped); --memory-max is "
                 "then enforced by the watchdog");
    app.add_option("--dump-at", options->dump_fraction,
                   "Ask for the Python stacks when memory reaches this fraction of --memory-max")
        ->capture_default_str()
        ->check(CLI::Range(0.05, 0.99));
    app.add_option("--interval", options->interval_s,
                   "Sample the memory of the pytest tree every SECONDS (fractions allowed)")
        ->capture_default_str()
        ->check(CLI::Range(0.005, 60.0));
    app.add_option("--oom-score-adj", options->oom_score_adj,
                   "Raise pytest's oom_score_adj to N (0-1000, 0: leave it) so that under memory "
                   "pressure the kernel kills pytest rather than the recorder")
        ->capture_default_str()
        ->check(CLI::Range(0, 1000));
    app.add_option("--max-restarts", options->max_restarts,
                   "After pytest dies, start it again (up to N times) on the tests that have not "
                   "run yet: every test that finished or crashed is skipped, so each test body "
                   "runs at most once and the suite completes")
        ->check(CLI::Range(0, 1000));
    app.add_option("--output-log-max", options->output_log_max,
                   "Cap output.log at SIZE (\"64M\" by default; \"0\": no cap): past it, the log "
                   "keeps the first quarter of SIZE and at least the last quarter of the output, "
                   "with a line saying how much was left out between them")
        ->capture_default_str()
        ->check([](const std::string& text) {
            auto parsed = base::parse_size(text);
            if (!parsed.bytes) {
                return parsed.error;
            }
            return *parsed.bytes == 0 || *parsed.bytes >= 64 * 1024
                       ? std::string()
                       : std::string("at least 64K (or 0 for no cap)");
        });
    add_report_options(app, options->reports);
    app.add_option("--db", options->database,
                   "Store the run's per-test metrics in this SQLite database (default: "
                   ".blackbox/metrics.db; created when missing)");
    app.add_flag("--no-metrics", options->no_metrics,
                 "Do not store the run in the metrics database");
    app.add_option("--server", options->push.url,
                   "Also send the finished run to a blackbox serve at URL (http://HOST:PORT); a "
                   "server that is down never changes the exit status");
    app.add_option("--token", options->push.token, "The server's token (default: $BLACKBOX_TOKEN)");
    app.add_option_function<double>(
           "--server-timeout",
           [options](double seconds) {
               options->push.timeout = std::chrono::milliseconds(std::llround(seconds * 1000));
           },
           "The longest the push to --server may delay the run's exit, in seconds (default 60)")
        ->check(CLI::Range(0.1, 86400.0));
    app.add_flag("--no-status", options->no_status,
                 "No live status line at the bottom of the terminal");
    app.add_flag("--no-pty", options->no_pty,
                 "Never run pytest on a pseudo-terminal, even when the output is a terminal");
    return [options, &invocation] {
        options->command = invocation.after_dash;
        return run(*options, invocation);
    };
}

}  // namespace blackbox::cli
