// `blackbox show [--json] [RUN_DIR]`: the post-mortem of a recorded run, from its files alone.

#include <cstdlib>
#include <iostream>
#include <unistd.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/terminal_text.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/report/json_view.hpp>
#include <blackbox/report/text_view.hpp>
#include <blackbox/rundir/run_directory.hpp>
#include <blackbox/rundir/run_files.hpp>

#include "command_table.hpp"

namespace blackbox::cli {

namespace {

struct ShowOptions {
    bool json = false;
    std::string run_dir;
};

}  // namespace

std::filesystem::path resolve_run_dir(const std::string& given) {
    std::filesystem::path dir = given;
    std::error_code error;
    if (dir.empty()) {
        dir = rundir::state_dir(std::filesystem::current_path()) / rundir::kLatestLink;
        if (!std::filesystem::exists(dir, error)) {
            throw Error(
                "no recorded run here (.blackbox/latest is missing); run `blackbox run` "
                "first or name a run directory",
                postmortem::kNotARunExitCode);
        }
        dir = std::filesystem::canonical(dir, error);
    }
    if (!std::filesystem::is_directory(dir, error)) {
        throw Error(dir.string() + " is not a directory", postmortem::kNotARunExitCode);
    }
    return std::filesystem::absolute(dir);
}

namespace {

int show(const ShowOptions& options) {
    auto run = postmortem::load_run(resolve_run_dir(options.run_dir));
    if (options.json) {
        std::cout << base::json_text(report::postmortem_json(run), 2, base::Ascii::yes) << "\n";
    } else {
        report::TextOptions text;
        text.color = ::isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
        text.relative_to = std::filesystem::current_path();
        std::cout << report::postmortem_text(run, text);
        for (const auto& warning : run.warnings) {
            std::cerr << "blackbox: warning: " << base::terminal_text(warning) << "\n";
        }
    }
    return 0;
}

}  // namespace

std::function<int()> setup_show(CLI::App& app, const Invocation&) {
    auto options = std::make_shared<ShowOptions>();
    app.add_flag("--json", options->json, "Print the post-mortem as JSON");
    app.add_option("run_dir", options->run_dir, "Run directory (default: .blackbox/latest)");
    return [options] { return show(*options); };
}

}  // namespace blackbox::cli
