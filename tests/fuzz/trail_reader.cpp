// The memory trail, samples.jsonl, on any bytes: the reader (sample/trail_reader.hpp) never
// throws and bounds its warnings; every figure it delivers is within 0 .. 2^62 (out of range
// reads as absent, docs/formats/samples.md), so the sums made of them cannot overflow; and the
// post-mortem's join of the trail with the tests (postmortem::add_memory_trail, over a scratch
// copy of the trail and a small fixed run) and its bounded tail (postmortem::RecentMemory) hold.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <blackbox/base/saturating.hpp>
#include <blackbox/postmortem/memory_trail.hpp>
#include <blackbox/postmortem/recent_memory.hpp>
#include <blackbox/sample/trail_reader.hpp>

#include "fuzz_input.hpp"

using namespace blackbox;
namespace fs = std::filesystem;

namespace {

constexpr auto kMaxFigure = static_cast<std::uint64_t>(base::kMaxFigure);

void check_figure(std::optional<std::uint64_t> value) {
    fuzz::check(!value || *value <= kMaxFigure, "a trail figure beyond 2^62 was delivered");
}

const fs::path& scratch_trail() {
    static const fs::path file = [] {
        std::string pattern = (fs::temp_directory_path() / "blackbox-fuzz-trail.XXXXXX").string();
        int fd = mkstemp(pattern.data());
        if (fd < 0) {
            fuzz::fail("cannot make a scratch file");
        }
        close(fd);
        std::atexit([] {
            std::error_code ignored;
            fs::remove(scratch_trail(), ignored);
        });
        return fs::path(pattern);
    }();
    return file;
}

// Two tests of pid 100, one of its worker 101, the last crashed.
postmortem::RunModel small_run() {
    postmortem::RunModel run;
    auto test = [&run](std::string nodeid, long pid, std::int64_t begin, std::int64_t end,
                       std::string outcome) {
        postmortem::TestResult result;
        result.nodeid = std::move(nodeid);
        result.pid = pid;
        result.outcome = std::move(outcome);
        postmortem::PhaseResult setup, teardown;
        setup.begin_ns = begin;
        setup.end_ns = begin + 10;
        teardown.begin_ns = end - 10;
        teardown.end_ns = end;
        result.setup = setup;
        if (result.outcome != "crashed") {
            result.teardown = teardown;
        }
        run.tests.push_back(std::move(result));
    };
    test("t.py::a", 100, 1000, 2000, "passed");
    test("t.py::b", 101, 1500, 5000, "passed");
    test("t.py::c", 100, 3000, 4000, "crashed");
    postmortem::Crash crash;
    crash.nodeid = "t.py::c";
    crash.pid = 100;
    run.crashes.push_back(crash);
    return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);
    postmortem::RecentMemory recent(10'000);
    sample::TrailHandlers handlers;
    handlers.on_header = [](const sample::SamplerHeader& header) {
        if (header.cgroup && header.cgroup->limit) {
            check_figure(header.cgroup->limit->bytes);
        }
    };
    handlers.on_sample = [&recent](const sample::Sample& sample) {
        check_figure(sample.rss);
        check_figure(sample.swap);
        for (const auto& process : sample.procs) {
            check_figure(process.rss);
        }
        for (auto figure : {sample.mem.total, sample.mem.free, sample.mem.available,
                            sample.mem.cached, sample.mem.swap_total, sample.mem.swap_free}) {
            check_figure(figure);
        }
        if (sample.cg) {
            check_figure(sample.cg->usage);
            check_figure(sample.cg->oom_kill);
        }
        recent.add({sample.ns, static_cast<std::int64_t>(sample.rss), std::nullopt, std::nullopt});
        fuzz::check(recent.points().size() <= 400 + 32 + 1, "the recent memory is not bounded");
    };
    handlers.on_top = [](const sample::TopRecord& top) {
        for (const auto& process : top.procs) {
            check_figure(process.rss);
        }
    };
    handlers.on_note = [](const sample::Note&) {};
    auto summary = sample::for_each_sample_in(text, handlers);
    fuzz::check(summary.warnings.size() <= 20, "the warnings are not bounded");

    {
        std::ofstream out(scratch_trail(), std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
    auto run = small_run();
    postmortem::add_memory_trail(run, scratch_trail());
    for (const auto& test : run.tests) {
        fuzz::check(!test.peak_tree_rss_bytes || *test.peak_tree_rss_bytes >= 0,
                    "a negative tree peak");
    }
    fuzz::check(run.memory.before_end.size() <= 400 + 32 + 1, "the trail's tail is not bounded");
    return 0;
}
