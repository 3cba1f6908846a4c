// `blackbox bisect RUN_DIR`: for a test that crashed in a run but not alone, the earlier test(s)
// of its pytest process whose side effects make it crash, by rerunning it after halves of them
// (docs/commands/bisect.md).

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/bisect/bisection.hpp>
#include <blackbox/bisect/crash_site.hpp>
#include <blackbox/bisect/pytest_rerun.hpp>
#include <blackbox/plugin/plugin_environment.hpp>
#include <blackbox/postmortem/rerun_command.hpp>
#include <blackbox/postmortem/run_loader.hpp>

#include "command_table.hpp"

namespace blackbox::cli {

namespace {

struct BisectOptions {
    std::string run_dir;
    std::string test;
    std::size_t max_reruns = 30;
    std::optional<double> timeout;  // per rerun; default from the recorded run's duration
};

constexpr double kMinimumTimeout = 60;
constexpr double kDefaultTimeout = 600;  // when the run's duration is unknown

// Twice the recorded run's duration (a rerun runs a part of what it ran), at least a minute.
double default_timeout(const postmortem::RunModel& run) {
    return run.duration_s > 0 ? std::max(kMinimumTimeout, 2 * run.duration_s) : kDefaultTimeout;
}

std::string rerun_verdict(bool crashed, const bisect::PytestRerun& pytest, double timeout) {
    if (pytest.timed_out()) {
        return fmt::format("{} (killed after {:.0f} s)", crashed ? "hung" : "timed out", timeout);
    }
    return crashed ? fmt::format("crashed ({})", base::signal_name(*pytest.last_signal()))
                   : "no crash";
}

// The shell command that reproduces the crash: the polluters, then the culprit, in that order.
std::string reproducing_command(const postmortem::RunModel& run,
                                const std::vector<std::string>& prefix,
                                const std::vector<std::string>& ordered) {
    std::string command;
    if (!run.rootdir.empty() && !run.cwd.empty() && run.rootdir != run.cwd) {
        command = "cd " + postmortem::shell_quote(run.rootdir) + " && ";
    }
    command += "blackbox run --";
    for (const auto& word : prefix) {
        command += " " + postmortem::shell_quote(word);
    }
    for (const auto& word : bisect::rerun_arguments(ordered)) {
        if (word != "-q") {
            command += " " + postmortem::shell_quote(word);
        }
    }
    return command;
}

int run_bisect(const BisectOptions& options, const std::filesystem::path& plugin_dir,
               const std::filesystem::path& native_library) {
    auto dir = resolve_run_dir(options.run_dir);
    auto run = postmortem::load_run(dir);
    auto site = bisect::crash_site(run, options.test);
    auto prefix = postmortem::pytest_prefix(run.command);
    auto rootdir = run.rootdir.empty() ? run.cwd : run.rootdir;
    std::cout << base::terminal_text(
        fmt::format(
            "{} crashed ({}) after {} earlier tests on its process; rerunning it (logs in {})\n",
            site.culprit, site.cause, site.predecessors.size(), (dir / "bisect").string()),
        base::Newlines::keep);

    const double timeout = options.timeout.value_or(default_timeout(run));
    bisect::PytestRerun pytest(prefix, rootdir, dir / "bisect", plugin_dir,
                               {timeout, site.cause == "hang"}, native_library);
    std::size_t rerun = 0;
    auto oracle = [&](const std::vector<std::string>& ordered) {
        bool crashed = pytest(ordered);
        std::cout << base::terminal_text(
            fmt::format("  rerun {:>2}: {:>5} earlier tests, then the test: {}\n", ++rerun,
                        ordered.size() - 1, rerun_verdict(crashed, pytest, timeout)),
            base::Newlines::keep);
        return crashed;
    };
    auto result =
        bisect::find_polluters(site.predecessors, site.culprit, oracle, options.max_reruns);

    using Outcome = bisect::BisectResult::Outcome;
    auto ordered = result.polluters;
    ordered.push_back(site.culprit);
    switch (result.outcome) {
        case Outcome::crashes_alone:
            std::cout << base::terminal_text(
                fmt::format("{} crashes alone: no earlier test is needed. Reproduce with\n"
                            "  {}\n",
                            site.culprit, reproducing_command(run, prefix, ordered)),
                base::Newlines::keep);
            break;
        case Outcome::not_reproduced:
            std::cout << base::terminal_text(
                fmt::format("{} does not crash after its {} earlier tests either: the crash "
                            "did not reproduce ({} reruns)\n",
                            site.culprit, site.predecessors.size(), result.reruns),
                base::Newlines::keep);
            return 1;
        case Outcome::found:
            std::cout << base::terminal_text(
                fmt::format("{} makes {} crash ({} reruns). Reproduce with\n  {}\n",
                            result.polluters.front(), site.culprit, result.reruns,
                            reproducing_command(run, prefix, ordered)),
                base::Newlines::keep);
            break;
        case Outcome::not_reduced:
        case Outcome::out_of_reruns:
            std::cout << base::terminal_text(
                fmt::format(
                    "{}: the smallest set of earlier tests seen making {} crash has {} tests ({} "
                    "reruns). Reproduce with\n  {}\n",
                    result.outcome == Outcome::out_of_reruns
                        ? "out of reruns (--max-reruns)"
                        : "no single earlier test makes it crash",
                    site.culprit, result.polluters.size(), result.reruns,
                    reproducing_command(run, prefix, ordered)),
                base::Newlines::keep);
            return 1;
    }
    return 0;
}

}  // namespace

std::function<int()> setup_bisect(CLI::App& app, const Invocation& invocation) {
    auto options = std::make_shared<BisectOptions>();
    app.add_option("run_dir", options->run_dir, "The run directory (default: the latest run)");
    app.add_option("--test", options->test, "The crashed test to explain (default: the first)");
    app.add_option("--max-reruns", options->max_reruns, "Most pytest reruns to spend")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--timeout", options->timeout,
                   "Seconds one rerun may take before it is killed (default: twice the recorded "
                   "run's duration, at least 60). A rerun that runs past it reproduces a hang, "
                   "and counts as no crash otherwise")
        ->check(CLI::PositiveNumber);
    app.footer(
        "Exit status: 0 when the test crashes alone or one earlier test is found; 1 when the "
        "crash does not reproduce or cannot be narrowed to one test; 2 when the run has no "
        "crashed test; 3 when a rerun cannot start pytest or run the tests.");
    return [options, &invocation] {
        // Each rerun is recorded by the plugin, which tells a pytest that ran from one that
        // never started.
        auto plugin_dir = plugin::find_plugin_directory(invocation.executable);
        if (!plugin_dir) {
            throw Error("cannot find the bundled pytest plugin (pytest_blackbox) next to " +
                            invocation.executable.string() + "; set BLACKBOX_PLUGIN_PATH",
                        bisect::kRerunFailed);
        }
        auto native_library = plugin::find_native_library(invocation.executable);
        return run_bisect(*options, *plugin_dir, native_library.value_or(std::filesystem::path()));
    };
}

}  // namespace blackbox::cli
