#include <blackbox/base/json_text.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/base/utf8_text.hpp>
#include <blackbox/postmortem/interruption.hpp>
#include <blackbox/postmortem/left_behind.hpp>
#include <blackbox/postmortem/rerun_command.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/report/json_view.hpp>
#include <blackbox/report/native_view.hpp>

namespace blackbox::report {

namespace {

using postmortem::Counts;
using postmortem::Crash;
using postmortem::Leftover;
using postmortem::RunModel;

using nlohmann::json;

template <typename T>
json optional_json(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

json signal_json(const std::optional<int>& signal) {
    return signal ? json(base::signal_name(*signal)) : json(nullptr);
}

}  // namespace

json counts_to_json(const Counts& counts) {
    return {{"collected", counts.collected},   {"passed", counts.passed},
            {"failed", counts.failed},         {"skipped", counts.skipped},
            {"xfailed", counts.xfailed},       {"xpassed", counts.xpassed},
            {"errors", counts.errors},         {"crashed", counts.crashed},
            {"not_run", counts.not_run},       {"interrupted", counts.interrupted},
            {"deselected", counts.deselected}, {"resume_deselected", counts.resume_deselected}};
}

void put_session(json& object, const RunModel& run, int session) {
    if (run.sessions > 1) {
        object["session"] = session + 1;
    }
}

json interruption_to_json(const postmortem::Interruption& interruption, const RunModel& run) {
    json object = {{"phase", interruption.phase},
                   {"reason", interruption.reason},
                   {"signal", signal_json(interruption.signal)},
                   {"worker", optional_json(interruption.worker)},
                   {"attempt", interruption.attempt},
                   {"description", postmortem::describe_interruption(interruption)}};
    base::put_name(object, "nodeid", interruption.nodeid);
    put_session(object, run, interruption.session);
    return object;
}

// A name (node id) as JSON: its text form, and its bytes beside it when it is not UTF-8.
void put_name(json& object, const std::string& key, const std::optional<std::string>& name) {
    if (name) {
        base::put_name(object, key, *name);
    } else {
        object[key] = nullptr;
    }
}

json crash_to_json(const Crash& crash, const RunModel& run) {
    std::optional<std::string> target = crash.module ? crash.module : crash.nodeid;
    json object = {
        {"nodeid", optional_json(crash.nodeid)},
        {"phase", crash.phase},
        {"stage", crash.stage.empty() ? json(nullptr) : json(crash.stage)},
        {"module", optional_json(crash.module)},
        {"worker", optional_json(crash.worker)},
        {"fixture", optional_json(crash.fixture)},
        {"signal", signal_json(crash.signal)},
        {"exit_code", optional_json(crash.exit_code)},
        {"cause", crash.cause},
        {"evidence", crash.evidence},
        {"traceback", optional_json(crash.traceback)},
        {"captured_stdout", optional_json(crash.captured_stdout)},
        {"captured_stderr", optional_json(crash.captured_stderr)},
        {"captured_log", optional_json(crash.captured_log)},
        {"rss_bytes", optional_json(crash.rss_bytes)},
        {"memory_trend",
         crash.memory_at && crash.memory_before
             ? json({{"seconds",
                      static_cast<double>(crash.memory_at->ns - crash.memory_before->ns) / 1e9},
                     {"tree_rss_from", crash.memory_before->tree_rss},
                     {"tree_rss_to", crash.memory_at->tree_rss},
                     {"available", optional_json(crash.memory_at->available)}})
             : json(nullptr)},
        {"attempt", crash.attempt},
        {"pid", crash.pid},
        {"collateral", crash.collateral},
        {"rerun",
         target ? json(rerun_command(run, *target, crash.attempt, crash.session)) : json(nullptr)},
    };
    put_name(object, "nodeid", crash.nodeid);
    put_name(object, "module", crash.module);
    put_session(object, run, crash.session);
    put_native(object, crash);
    return object;
}

json memory_json(const RunModel& run) {
    const auto& memory = run.memory;
    if (!memory.sampled) {
        return nullptr;
    }
    json trail = json::array();
    std::int64_t end = memory.before_end.empty() ? 0 : memory.before_end.back().ns;
    for (const auto& point : memory.before_end) {
        trail.push_back({{"s_before_end", static_cast<double>(end - point.ns) / 1e9},
                         {"tree_rss", point.tree_rss},
                         {"available", optional_json(point.available)},
                         {"cgroup_usage", optional_json(point.cgroup_usage)}});
    }
    json suspect = nullptr;
    if (memory.suspect) {
        const auto& test = run.tests[*memory.suspect];
        suspect = {{"growth_bytes", optional_json(test.tree_pss_growth_bytes)}};
        base::put_name(suspect, "nodeid", test.nodeid);
    }
    return {{"peak_tree_rss", memory.peak_tree_rss},
            {"peak_tree_pss", optional_json(memory.peak_tree_pss)},
            {"tree_measure", memory.tree_measure},
            {"limit", optional_json(memory.limit)},
            {"suspect", std::move(suspect)},
            {"before_end", std::move(trail)}};
}

json leftover_json(const Leftover& left) {
    return {{"count", left.count}, {"names", left.names}};
}

// {"fds": [{"nodeid", "count", "names"}, …], …}: every test the sentinels caught, per kind.
json left_behind_json(const RunModel& run) {
    json kinds = json::object();
    for (const auto& kind : left_behind(run)) {
        json tests = json::array();
        for (const auto& leaker : kind.tests) {
            auto entry = leftover_json(*leaker.left);
            base::put_name(entry, "nodeid", run.tests[leaker.test].nodeid);
            tests.push_back(std::move(entry));
        }
        kinds[std::string(kind.kind)] = std::move(tests);
    }
    return kinds;
}

json gc_to_json(const RunModel& run) {
    auto gc = gc_totals(run);
    if (!gc) {
        return nullptr;
    }
    return {
        {"tests", gc->tests},
        {"freed_bytes", gc->freed_bytes},
        {"objects", gc->objects},
        {"seconds", gc->seconds},
        {"most", gc->most ? json(base::name_text(run.tests[*gc->most].nodeid)) : json(nullptr)}};
}

json running_json(const RunModel& run) {
    json running = json::array();
    for (const auto& process : run.running) {
        json entry = {{"role", process.role},
                      {"pid", process.pid},
                      {"attempt", process.attempt},
                      {"phase", process.phase.empty() ? json(nullptr) : json(process.phase)}};
        put_name(entry, "nodeid", process.nodeid);
        running.push_back(std::move(entry));
    }
    return running;
}

json supervisor_lost_json(const RunModel& run) {
    if (!run.supervisor_lost) {
        return nullptr;
    }
    const auto& lost = *run.supervisor_lost;
    return {{"attempt", lost.attempt},
            {"pid", lost.pid},
            {"ns", lost.ns},
            {"group_killed", lost.group_killed},
            {"cgroup_killed", lost.cgroup_killed}};
}

json left_running_json(const RunModel& run) {
    json left = json::array();
    for (const auto& process : run.left_running) {
        json entry = {{"attempt", process.attempt},
                      {"pid", process.pid},
                      {"command", base::valid_utf8(process.command)},
                      {"in_group", process.in_group},
                      {"stopped", process.stopped}};
        put_name(entry, "started_during", process.started_during);
        left.push_back(std::move(entry));
    }
    return left;
}

json postmortem_json(const RunModel& run) {
    json crashes = json::array();
    for (const auto& crash : run.crashes) {
        crashes.push_back(crash_to_json(crash, run));
    }
    json interrupted = json::array();
    for (const auto& interruption : run.interruptions) {
        interrupted.push_back(interruption_to_json(interruption, run));
    }
    json collect_errors = json::array();
    for (const auto& error : run.collect_errors) {
        json entry = {{"longrepr", error.longrepr}, {"worker", optional_json(error.worker)}};
        base::put_name(entry, "nodeid", error.nodeid);
        put_session(entry, run, error.session);
        collect_errors.push_back(std::move(entry));
    }
    json object = {
        {"format", 1},
        {"run_dir", run.dir.string()},
        {"id", run.id},
        {"status", run.status},
        {"command", run.command},
        {"cwd", run.cwd},
        {"started", optional_json(run.started)},
        {"ended", optional_json(run.ended)},
        {"exit",
         {{"code", optional_json(run.exit.code)},
          {"signal", signal_json(run.exit.signal)},
          {"pytest_exitstatus", optional_json(run.pytest_exitstatus)},
          {"blackbox", run.finished ? json(run_exit_code(run)) : json(nullptr)}}},
        {"attempts", run.attempts},
        {"tests", counts_to_json(run.counts)},
        {"crashes", std::move(crashes)},
        {"interrupted", std::move(interrupted)},
        {"memory", memory_json(run)},
        {"left_behind", left_behind_json(run)},
        {"gc_after_each", gc_to_json(run)},
        {"collect_errors", std::move(collect_errors)},
        {"context", run.context},
        {"warnings", run.warnings},
        {"recording_stopped", run.recording_stopped},
        {"recording_lost", run.recording_lost},
        {"running", running_json(run)},
        {"supervisor_lost", supervisor_lost_json(run)},
        {"left_running", left_running_json(run)},
    };
    if (run.sessions > 1) {
        object["sessions"] = run.sessions;  // the pytest sessions the command ran
    }
    base::put_names(object, "command", run.command);
    base::put_name(object, "cwd", run.cwd);
    base::put_name(object, "run_dir", run.dir.string());
    return object;
}

}  // namespace blackbox::report
