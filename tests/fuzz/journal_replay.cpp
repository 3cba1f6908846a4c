// The journals replayed into a run's state, and every view of that state. The input is a run
// directory in sections (fuzz_input.hpp): the text before the first marker is the main
// process's journal, "@@ <file>" starts another of the run's files (a worker's journal,
// faulthandler's file, the trail, end.json, run.json, …). Each input is replayed alone
// (journal::replay_process over the main journal's text), then written into a scratch run
// directory and loaded as `blackbox show` loads one (postmortem::load_run), and the model is
// rendered as every output renders it: the post-mortem text and JSON, JUnit, Markdown and the
// HTML report's data. None may throw anything but blackbox::Error, and the counts must agree
// with the tests.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/journal/process_replay.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/postmortem/test_outcome.hpp>
#include <blackbox/report/html_data.hpp>
#include <blackbox/report/json_view.hpp>
#include <blackbox/report/junit_report.hpp>
#include <blackbox/report/markdown_report.hpp>
#include <blackbox/report/text_view.hpp>

#include "fuzz_input.hpp"

using namespace blackbox;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kRunJson =
    R"({"id":"fuzz","recorder":"supervisor","command":["pytest"],"cwd":"/project",)"
    R"("started":"2025-01-01T00:00:00Z","started_ns":1000,"context":{}})";

// The scratch run directory, made once per process and removed at exit.
const fs::path& scratch() {
    static const fs::path dir = [] {
        std::string pattern = (fs::temp_directory_path() / "blackbox-fuzz-run.XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            fuzz::fail("cannot make a scratch directory");
        }
        std::atexit([] {
            std::error_code ignored;
            fs::remove_all(scratch(), ignored);
        });
        return fs::path(pattern);
    }();
    return dir;
}

// Whether a section may name a file of the run directory: a plain name or one level under the
// run's own folders (nothing outside the scratch directory).
bool run_file(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.find("..") != std::string_view::npos) {
        return false;
    }
    for (char c : name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
              c == '/')) {
            return false;
        }
    }
    auto slash = name.find('/');
    if (slash == std::string_view::npos) {
        return true;
    }
    auto folder = name.substr(0, slash);
    return name.find('/', slash + 1) == std::string_view::npos &&
           (folder == "journal" || folder == "collected" || folder == "faulthandler" ||
            folder == "lost" || folder == "capture");
}

void write_file(const fs::path& path, std::string_view content) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

void replay_alone(std::string_view journal_text) {
    auto files = journal::parse_stem("1-main-100");
    fuzz::check(files.has_value(), "the main stem does not parse");
    auto replay = journal::replay_process(*files, journal_text);
    for (const auto& test : replay.tests) {
        (void)postmortem::derive_outcome(test);
        (void)test.duration_s();
    }
    fuzz::check(replay.tests_done <= replay.tests.size(), "more tests done than tests replayed");
}

void load_and_render(const std::vector<std::pair<std::string, std::string_view>>& parts) {
    const fs::path& dir = scratch();
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(dir, ignored)) {
        fs::remove_all(entry.path(), ignored);
    }
    bool has_run_json = false;
    for (const auto& [name, content] : parts) {
        if (name.empty()) {
            write_file(dir / "journal" / "1-main-100.jsonl", content);
        } else if (run_file(name)) {
            write_file(dir / name, content);
            has_run_json = has_run_json || name == "run.json";
        }
    }
    if (!has_run_json) {
        write_file(dir / "run.json", kRunJson);
    }
    postmortem::RunModel run;
    try {
        run = postmortem::load_run(dir);
    } catch (const Error&) {
        return;  // not a run directory: a documented answer
    }
    std::size_t counted = run.counts.passed + run.counts.failed + run.counts.skipped +
                          run.counts.xfailed + run.counts.xpassed + run.counts.errors +
                          run.counts.crashed + run.counts.not_run;
    fuzz::check(counted >= run.tests.size() || run.counts.collected >= run.tests.size(),
                "the counts lose tests");
    (void)postmortem::run_exit_code(run);
    (void)base::json_text(report::postmortem_json(run), 2);
    (void)report::postmortem_text(run, report::TextOptions{});
    (void)report::junit_xml(run);
    (void)report::markdown_summary(run);
    (void)base::json_text(report::html_data(run, dir / "samples.jsonl"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = fuzz::sections(fuzz::as_text(data, size));
    replay_alone(parts.front().second);
    load_and_render(parts);
    return 0;
}
