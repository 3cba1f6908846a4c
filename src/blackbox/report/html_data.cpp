#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/postmortem/left_behind.hpp>
#include <blackbox/report/html_data.hpp>
#include <blackbox/report/json_view.hpp>
#include <blackbox/report/native_view.hpp>
#include <blackbox/sample/trail_reader.hpp>

namespace blackbox::report {

namespace {

using nlohmann::json;
using postmortem::RunModel;
using postmortem::TestResult;

// Names (node ids, paths, the command's words) in their text form: "\\xNN" for bytes not UTF-8.
json names_text(const std::vector<std::string>& names) {
    json texts = json::array();
    for (const auto& name : names) {
        texts.push_back(base::name_text(name));
    }
    return texts;
}

const std::vector<std::string_view> kOutcomes = {"passed",  "failed", "skipped", "xfailed",
                                                 "xpassed", "error",  "crashed", "not_run"};

template <typename T>
json optional_json(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

// Seconds since the run's start, to the millisecond.
struct Timebase {
    std::int64_t t0 = 0;
    double at(std::int64_t ns) const {
        return std::round(static_cast<double>(ns - t0) / 1e6) / 1e3;
    }
};

// The run's first instant: its recorded start, else the first sample or test.
std::int64_t first_instant(const RunModel& run, std::int64_t first_sample) {
    if (run.started_ns) {
        return *run.started_ns;
    }
    std::int64_t first = first_sample;
    for (const auto& test : run.tests) {
        if (test.setup && test.setup->begin_ns > 0 &&
            (first == 0 || test.setup->begin_ns < first)) {
            first = test.setup->begin_ns;
        }
    }
    return first;
}

// One point of the timeline; a long trail is thinned by merging neighbours.
struct Point {
    std::int64_t ns = 0;
    std::uint64_t rss = 0;
    std::optional<std::uint64_t> available, cgroup;
};

struct Trail {
    bool readable = false;
    double interval_s = 0;
    std::vector<Point> points;
    json notes = json::array();
    std::vector<std::pair<std::int64_t, json>> raw_notes;
};

// Keeps the higher-RSS point of each pair, so that peaks survive the thinning.
void halve(std::vector<Point>& points) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < points.size(); i += 2) {
        const auto& a = points[i];
        points[out++] = (i + 1 < points.size() && points[i + 1].rss > a.rss) ? points[i + 1] : a;
    }
    points.resize(out);
}

Trail read_trail(const std::filesystem::path& samples) {
    Trail trail;
    std::size_t stride = 1, seen = 0;  // after k halvings, one sample in 2^k is a new point
    Point pending;
    bool has_pending = false;
    sample::TrailHandlers handlers;
    handlers.on_header = [&](const sample::SamplerHeader& header) {
        trail.interval_s = header.interval_s;
    };
    handlers.on_sample = [&](const sample::Sample& s) {
        Point point{s.ns, s.rss, s.mem.available, s.cg ? s.cg->usage : std::nullopt};
        if (!has_pending || point.rss > pending.rss) {
            pending = point;
            has_pending = true;
        }
        if (++seen % stride != 0) {
            return;
        }
        trail.points.push_back(pending);
        has_pending = false;
        if (trail.points.size() > kMaxTimelinePoints) {
            halve(trail.points);
            stride *= 2;
        }
    };
    handlers.on_note = [&](const sample::Note& note) {
        trail.raw_notes.emplace_back(note.ns, json{{"what", note.what}, {"text", note.text}});
    };
    auto summary = sample::for_each_sample(samples, handlers);
    if (has_pending) {
        trail.points.push_back(pending);
    }
    trail.readable = summary.readable && !trail.points.empty();
    return trail;
}

json samples_json(const Trail& trail, const Timebase& time) {
    json t = json::array(), rss = json::array(), available = json::array(), cgroup = json::array();
    for (const auto& point : trail.points) {
        t.push_back(time.at(point.ns));
        rss.push_back(point.rss);
        available.push_back(optional_json(point.available));
        cgroup.push_back(optional_json(point.cgroup));
    }
    return {{"t", std::move(t)},
            {"rss", std::move(rss)},
            {"available", std::move(available)},
            {"cgroup", std::move(cgroup)}};
}

// Everything up to and including the last "::" outside parameter brackets: the part that many
// node ids share.
std::size_t prefix_length(std::string_view nodeid) {
    auto bracket = nodeid.find('[');
    auto head = nodeid.substr(0, bracket);
    auto colons = head.rfind("::");
    return colons == std::string_view::npos ? 0 : colons + 2;
}

// When the crash happened: the dying process's last sample, else its phase's start.
std::optional<std::int64_t> death_ns(const postmortem::Crash& crash) {
    if (crash.memory_at) {
        return crash.memory_at->ns;
    }
    if (crash.since_ns > 0) {
        return crash.since_ns;
    }
    return std::nullopt;
}

// The test's stretch of time: its first phase's start to its last phase's end (its death when
// it crashed).
std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>> stretch(const TestResult& test,
                                                                            const RunModel& run) {
    std::optional<std::int64_t> begin, end;
    for (const auto* phase : {&test.setup, &test.call, &test.teardown}) {
        if (!*phase) {
            continue;
        }
        if ((*phase)->begin_ns > 0 && !begin) {
            begin = (*phase)->begin_ns;
        }
        if ((*phase)->end_ns > 0) {
            end = (*phase)->end_ns;
        }
    }
    if (test.crash) {
        const auto& crash = run.crashes[*test.crash];
        if (!begin && crash.since_ns > 0) {
            begin = crash.since_ns;
        }
        if (auto death = death_ns(crash); death && (!end || *death > *end)) {
            end = death;
        }
    }
    if (begin && (!end || *end < *begin)) {
        end = begin;
    }
    return {begin, end};
}

std::optional<std::string_view> failure_text(const TestResult& test, const char** phase_name) {
    static const char* kNames[] = {"setup", "call", "teardown"};
    int index = 0;
    for (const auto* phase : {&test.setup, &test.call, &test.teardown}) {
        if (*phase && (*phase)->outcome == postmortem::PhaseResult::Outcome::failed &&
            (*phase)->details && (*phase)->details->longrepr) {
            *phase_name = kNames[index];
            return std::string_view(*(*phase)->details->longrepr);
        }
        ++index;
    }
    return std::nullopt;
}

json tests_json(const RunModel& run, const Timebase& time, json& prefixes, json& workers,
                json& failures) {
    // Owns its keys: each test's node id text lives for one iteration only.
    std::unordered_map<std::string, std::size_t> prefix_index;
    std::unordered_map<std::string, std::size_t> worker_index{{"main", 0}};
    workers = json::array({"main"});
    prefixes = json::array();
    json prefix = json::array(), name = json::array(), outcome = json::array(),
         worker = json::array(), attempt = json::array(), start = json::array(),
         end = json::array(), duration = json::array(), peak = json::array(),
         tree_peak = json::array(), retained = json::array(), cpu = json::array(),
         crash = json::array();
    for (std::size_t i = 0; i < run.tests.size(); ++i) {
        const auto& test = run.tests[i];
        const auto nodeid_text = base::name_text(test.nodeid);  // "\\xNN" for bytes not UTF-8
        std::string_view nodeid = nodeid_text;
        auto length = prefix_length(nodeid);
        auto [it, added] =
            prefix_index.try_emplace(std::string(nodeid.substr(0, length)), prefixes.size());
        if (added) {
            prefixes.push_back(std::string(nodeid.substr(0, length)));
        }
        prefix.push_back(it->second);
        name.push_back(std::string(nodeid.substr(length)));
        auto found = std::find(kOutcomes.begin(), kOutcomes.end(), test.outcome);
        outcome.push_back(found == kOutcomes.end()
                              ? kOutcomes.size() - 1
                              : static_cast<std::size_t>(found - kOutcomes.begin()));
        auto [w, new_worker] =
            worker_index.try_emplace(test.worker.value_or("main"), worker_index.size());
        if (new_worker) {
            workers.push_back(w->first);
        }
        worker.push_back(w->second);
        attempt.push_back(test.attempt);
        auto [begin, finish] = stretch(test, run);
        start.push_back(begin ? json(time.at(*begin)) : json(nullptr));
        end.push_back(finish ? json(time.at(*finish)) : json(nullptr));
        duration.push_back(std::round(test.duration_s() * 1e6) / 1e6);
        peak.push_back(optional_json(test.peak_rss_bytes));
        tree_peak.push_back(optional_json(test.peak_tree_rss_bytes));
        retained.push_back(test.rss_before_bytes && test.rss_after_bytes
                               ? json(*test.rss_after_bytes - *test.rss_before_bytes)
                               : json(nullptr));
        cpu.push_back(test.cpu_user_s && test.cpu_sys_s
                          ? json(std::round((*test.cpu_user_s + *test.cpu_sys_s) * 1e6) / 1e6)
                          : json(nullptr));
        crash.push_back(optional_json(test.crash));
        const char* phase = "";
        if (auto text = failure_text(test, &phase)) {
            failures.push_back({{"test", i},
                                {"phase", phase},
                                {"text", std::string(text->substr(0, kMaxFailureText))}});
        }
    }
    json columns = {{"prefix", std::move(prefix)},     {"name", std::move(name)},
                    {"outcome", std::move(outcome)},   {"worker", std::move(worker)},
                    {"attempt", std::move(attempt)},   {"start", std::move(start)},
                    {"end", std::move(end)},           {"duration", std::move(duration)},
                    {"peak_rss", std::move(peak)},     {"tree_peak_rss", std::move(tree_peak)},
                    {"retained", std::move(retained)}, {"cpu", std::move(cpu)},
                    {"crash", std::move(crash)}};
    if (run.sessions > 1) {
        // A command that ran pytest more than once: each test's session, 1-based.
        json session = json::array();
        for (const auto& test : run.tests) {
            session.push_back(test.session + 1);
        }
        columns["session"] = std::move(session);
    }
    return columns;
}

// The crashed test's index, by node id (a collection crash names a module, not a test).
std::optional<std::size_t> crashed_test(const RunModel& run, std::size_t crash_index) {
    for (std::size_t i = 0; i < run.tests.size(); ++i) {
        if (run.tests[i].crash == crash_index) {
            return i;
        }
    }
    return std::nullopt;
}

json crashes_json(const RunModel& run, const Timebase& time) {
    json crashes = json::array();
    for (std::size_t i = 0; i < run.crashes.size(); ++i) {
        const auto& crash = run.crashes[i];
        auto object = report::crash_to_json(crash, run);
        object["signal_name"] = object["signal"];
        object["signal"] = optional_json(crash.signal);
        object["frames"] = crash.frames;
        object["native_heading"] = report::native_heading(crash);
        object["native_lines"] = report::native_block(crash, kNativeLines);
        object["test"] = optional_json(crashed_test(run, i));
        auto death = death_ns(crash);
        object["t"] = death ? json(time.at(*death)) : json(nullptr);
        crashes.push_back(std::move(object));
    }
    return crashes;
}

json suspect_json(const RunModel& run);

json run_json(const RunModel& run, const Trail& trail) {
    return {{"id", run.id},
            {"status", run.status},
            {"recorder", run.recorder},
            {"command", names_text(run.command)},
            {"cwd", base::name_text(run.cwd)},
            {"started", optional_json(run.started)},
            {"ended", optional_json(run.ended)},
            {"duration_s", run.duration_s},
            {"attempts", run.attempts},
            {"exit",
             {{"code", optional_json(run.exit.code)}, {"signal", optional_json(run.exit.signal)}}},
            {"counts", report::counts_to_json(run.counts)},
            {"sampled", trail.readable},
            {"interval_s", trail.interval_s},
            {"limit_bytes", optional_json(run.memory.limit)},
            {"peak_tree_rss_bytes",
             run.memory.sampled ? json(run.memory.peak_tree_rss) : json(nullptr)},
            {"peak_tree_pss_bytes", optional_json(run.memory.peak_tree_pss)},
            {"suspect", suspect_json(run)},
            {"recording_stopped", run.recording_stopped}};
}

// The test during which the tree grew most before a death, when that is not the test that died.
json suspect_json(const RunModel& run) {
    if (!run.memory.suspect) {
        return nullptr;
    }
    const auto& test = run.tests[*run.memory.suspect];
    return {{"nodeid", base::name_text(test.nodeid)},
            {"growth_bytes", optional_json(test.tree_pss_growth_bytes)}};
}

// What the sentinels caught, per kind, the first kLeakersListed tests of each.
json left_behind_json(const RunModel& run) {
    json kinds = json::array();
    for (const auto& kind : postmortem::left_behind(run)) {
        json tests = json::array();
        for (std::size_t i = 0; i < kind.tests.size() && i < kLeakersListed; ++i) {
            const auto& leaker = kind.tests[i];
            tests.push_back({{"nodeid", base::name_text(run.tests[leaker.test].nodeid)},
                             {"left", postmortem::leftover_summary(*leaker.left)}});
        }
        kinds.push_back({{"kind", kind.kind},
                         {"title", postmortem::leftover_title(kind.kind)},
                         {"count", kind.tests.size()},
                         {"tests", std::move(tests)}});
    }
    return kinds;
}

}  // namespace

json html_data(const RunModel& run, const std::filesystem::path& samples) {
    auto trail = read_trail(samples);
    Timebase time{first_instant(run, trail.points.empty() ? 0 : trail.points.front().ns)};
    json notes = json::array();
    for (auto& [ns, note] : trail.raw_notes) {
        note["t"] = time.at(ns);
        notes.push_back(std::move(note));
    }
    json prefixes, workers, failures = json::array();
    auto tests = tests_json(run, time, prefixes, workers, failures);
    json collect_errors = json::array();
    for (const auto& error : run.collect_errors) {
        collect_errors.push_back({{"nodeid", base::name_text(error.nodeid)},
                                  {"text", error.longrepr.substr(0, kMaxFailureText)}});
    }
    return {{"format", 1},
            {"generated", base::iso8601_utc(base::wall_ns())},
            {"run", run_json(run, trail)},
            {"samples", samples_json(trail, time)},
            {"notes", std::move(notes)},
            {"workers", std::move(workers)},
            {"outcomes", kOutcomes},
            {"prefixes", std::move(prefixes)},
            {"tests", std::move(tests)},
            {"crashes", crashes_json(run, time)},
            {"failures", std::move(failures)},
            {"collect_errors", std::move(collect_errors)},
            {"left_behind", left_behind_json(run)},
            {"gc", report::gc_to_json(run)}};
}

}  // namespace blackbox::report
