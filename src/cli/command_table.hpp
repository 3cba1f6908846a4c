#pragma once

// The subcommands, from one table: `blackbox --help` is generated from it.

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace blackbox::cli {

// Exit status for a usage error, as pytest uses it.
inline constexpr int kUsageError = 4;

// What every command may need from the invocation beyond its own options.
struct Invocation {
    std::filesystem::path executable;     // this binary (/proc/self/exe)
    std::vector<std::string> after_dash;  // the words after the first "--"
    bool dash_given = false;              // whether "--" was on the command line
};

struct Command {
    std::string_view name;
    std::string_view summary;
    // Declares the command's options on `app`; the returned function runs the command after a
    // successful parse and returns the process exit status.
    std::function<std::function<int()>(CLI::App& app, const Invocation& invocation)> setup;
    // The exit status for a command line this command cannot parse.
    int usage_error = kUsageError;
};

// compare and history keep 1 for "a threshold is exceeded", so a usage error joins "nothing to
// compare" at 2 and CI never mistakes a typo for a regression.
inline constexpr int kGateUsageError = 2;

const std::vector<Command>& command_table();

// The entry point: parses, dispatches, and turns a blackbox::Error into its exit status.
int main(int argc, char** argv);

// Declarations of each command's setup, one file per command.
std::function<int()> setup_run(CLI::App& app, const Invocation& invocation);
std::function<int()> setup_show(CLI::App& app, const Invocation& invocation);
std::function<int()> setup_postprocess(CLI::App& app, const Invocation& invocation);
std::function<int()> setup_report(CLI::App& app, const Invocation& invocation);
std::function<int()> setup_ingest(CLI::App& app, const Invocation& invocation);
std::function<int()> setup_compare(CLI::App& app, const Invocation& invocation);
std::function<int()> setup_history(CLI::App& app, const Invocation& invocation);
std::function<int()> setup_plan(CLI::App& app, const Invocation& invocation);
std::function<int()> setup_bisect(CLI::App& app, const Invocation& invocation);
std::function<int()> setup_serve(CLI::App& app, const Invocation& invocation);
std::function<int()> setup_push(CLI::App& app, const Invocation& invocation);

// The run directory a command names, or .blackbox/latest; throws blackbox::Error (exit 2) when
// there is none.
std::filesystem::path resolve_run_dir(const std::string& given);

}  // namespace blackbox::cli
