#include "command_table.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <unistd.h>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/terminal_text.hpp>

namespace blackbox::cli {

const std::vector<Command>& command_table() {
    static const std::vector<Command> kCommands{
        {"run", "Run a pytest command under the recorder and print the post-mortem", setup_run},
        {"show", "Print the post-mortem of a recorded run (default: the latest)", setup_show},
        {"postprocess", "Add crashed tests to JSON/JUnit/CSV/HTML reports", setup_postprocess},
        {"report", "Write the JUnit, JSON or Markdown report of a recorded run", setup_report},
        {"ingest", "Store recorded runs in the metrics database", setup_ingest},
        {"compare", "Per-test regressions in time, CPU, memory", setup_compare, kGateUsageError},
        {"history", "A test's time, CPU and memory over sessions", setup_history, kGateUsageError},
        {"plan", "Split the suite into shards by duration, within a memory budget", setup_plan},
        {"bisect", "Find the earlier test whose side effects make a test crash", setup_bisect},
        {"serve", "A team's metrics server: pytest-monitor's protocol, a dashboard", setup_serve},
        {"push", "Send a recorded run to a blackbox serve", setup_push},
    };
    return kCommands;
}

namespace {

// The usage-error status of the subcommand being parsed (kUsageError outside any).
int usage_error_status(const CLI::App& app) {
    for (const auto* sub : app.get_subcommands()) {
        for (const auto& command : command_table()) {
            if (command.name == sub->get_name()) {
                return command.usage_error;
            }
        }
    }
    return kUsageError;
}

std::filesystem::path own_executable(const char* argv0) {
    std::error_code error;
    auto path = std::filesystem::read_symlink("/proc/self/exe", error);
    return error ? std::filesystem::absolute(argv0) : path;
}

}  // namespace

int main(int argc, char** argv) {
    Invocation invocation;
    invocation.executable = own_executable(argv[0]);
    std::vector<std::string> words(argv + 1, argv + argc);
    auto dash = std::find(words.begin(), words.end(), "--");
    if (dash != words.end()) {
        invocation.dash_given = true;
        invocation.after_dash.assign(dash + 1, words.end());
        words.erase(dash, words.end());
    }

    CLI::App app{
        "blackbox: a flight recorder for pytest. When a test run dies, it names the test, "
        "the phase, the cause and the Python stack.",
        "blackbox"};
    app.set_version_flag("--version", std::string(BLACKBOX_VERSION));
    app.require_subcommand(1);
    app.footer("Run `blackbox COMMAND --help` for a command's options.");
    std::map<std::string, std::function<int()>> runners;
    for (const auto& command : command_table()) {
        auto* sub = app.add_subcommand(std::string(command.name), std::string(command.summary));
        runners[std::string(command.name)] = command.setup(*sub, invocation);
    }

    std::reverse(words.begin(), words.end());  // CLI11 takes the arguments in reverse order
    try {
        app.parse(words);
    } catch (const CLI::ParseError& error) {
        int status = app.exit(error);
        return status == 0 ? 0 : usage_error_status(app);
    }
    try {
        for (auto* sub : app.get_subcommands()) {
            if (invocation.dash_given && sub->get_name() != "run") {
                std::cerr << "blackbox " << sub->get_name() << ": unexpected '--'\n" << sub->help();
                return usage_error_status(app);
            }
            return runners.at(sub->get_name())();
        }
    } catch (const Error& error) {
        // Messages quote user text (paths, node ids, file contents): shown, never acted on.
        std::cerr << "blackbox: " << base::terminal_text(error.what(), base::Newlines::keep)
                  << "\n";
        return error.exit_code();
    } catch (const std::exception& error) {
        std::cerr << "blackbox: internal error: "
                  << base::terminal_text(error.what(), base::Newlines::keep) << "\n";
        return 3;
    }
    return kUsageError;
}

}  // namespace blackbox::cli
