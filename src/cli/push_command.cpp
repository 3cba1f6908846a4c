// `blackbox push [RUN_DIR] --server URL [--token TOKEN]`: send a recorded run to a
// `blackbox serve` (docs/commands/push.md). Pushing a run again replaces its rows there.

#include <cmath>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/push/push.hpp>

#include "command_table.hpp"

namespace blackbox::cli {

namespace {

// Exit status of a push the server did not take.
constexpr int kPushFailed = 1;

struct PushCommandOptions {
    std::string run_dir;
    push::PushOptions push;
};

int push_command(PushCommandOptions options) {
    if (options.push.token.empty()) {
        if (const char* from_env = std::getenv("BLACKBOX_TOKEN")) {
            options.push.token = from_env;
        }
    }
    const auto dir = resolve_run_dir(options.run_dir);
    const auto run = postmortem::load_run(dir);
    const auto result = push::push_run(run, options.push);
    if (!result.ok) {
        std::cerr << fmt::format("blackbox: push of {} failed: {}\n",
                                 base::terminal_text(dir.string()),
                                 base::terminal_text(result.message));
        return kPushFailed;
    }
    std::cout << fmt::format("blackbox: pushed {} to {}: {}\n", base::terminal_text(dir.string()),
                             base::terminal_text(options.push.url),
                             base::terminal_text(result.message));
    return 0;
}

}  // namespace

std::function<int()> setup_push(CLI::App& app, const Invocation&) {
    auto options = std::make_shared<PushCommandOptions>();
    app.footer(
        "RUN_DIR defaults to the latest run. Pushing a run again replaces its rows.\n"
        "Exit status: 0 when the server stored the run; 1 when it is unreachable or refused it; "
        "2 when RUN_DIR is not a run directory.");
    app.add_option("--server", options->push.url, "The server: http://HOST:PORT")->required();
    app.add_option("--token", options->push.token,
                   "Send \"Authorization: Bearer TOKEN\" (default: $BLACKBOX_TOKEN)");
    app.add_flag(
        "--no-report", [options](std::int64_t) { options->push.report = false; },
        "Send the rows only, not the run's HTML report data (its memory trail and every test)");
    app.add_option_function<double>(
           "--timeout",
           [options](double seconds) {
               options->push.timeout = std::chrono::milliseconds(std::llround(seconds * 1000));
           },
           "The longest the push may take talking to the server, in seconds (default 60)")
        ->check(CLI::Range(0.1, 86400.0));
    app.add_option("run_dir", options->run_dir, "The run directory")->type_name("RUN_DIR");
    return [options] { return push_command(*options); };
}

}  // namespace blackbox::cli
