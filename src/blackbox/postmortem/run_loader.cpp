#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/context/recorded_sources.hpp>
#include <blackbox/journal/faulthandler_dump.hpp>
#include <blackbox/journal/lost_file.hpp>
#include <blackbox/journal/process_files.hpp>
#include <blackbox/journal/process_replay.hpp>
#include <blackbox/journal/reader.hpp>
#include <blackbox/live/captured_output.hpp>
#include <blackbox/live/supervisor_log_reader.hpp>
#include <blackbox/postmortem/attribution.hpp>
#include <blackbox/postmortem/death_cause.hpp>
#include <blackbox/postmortem/death_time.hpp>
#include <blackbox/postmortem/interruption.hpp>
#include <blackbox/postmortem/left_behind.hpp>
#include <blackbox/postmortem/memory_suspect.hpp>
#include <blackbox/postmortem/memory_trail.hpp>
#include <blackbox/postmortem/native_evidence.hpp>
#include <blackbox/postmortem/process_liveness.hpp>
#include <blackbox/postmortem/run_course.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/postmortem/run_settings.hpp>
#include <blackbox/postmortem/sessions.hpp>
#include <blackbox/postmortem/test_outcome.hpp>
#include <blackbox/rundir/run_file.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::postmortem {

namespace {

using nlohmann::json;

void take_run_file(RunModel& run) {
    auto doc = rundir::read_run_file(run.dir, run.warnings);
    if (!doc) {
        return;
    }
    run.id = std::move(doc->id);
    run.recorder = std::move(doc->recorder);
    run.cwd = std::move(doc->cwd);
    run.started = std::move(doc->started);
    run.started_ns = doc->started_ns;
    run.command = std::move(doc->command);
    run.max_restarts = doc->max_restarts;
    // The supervisor writes the context; `pytest --blackbox` writes the facts it is derived
    // from (plugin runs recorded before that wrote a "context" of their own, still read).
    if (doc->context.is_object()) {
        run.context = std::move(doc->context);
    } else if (!doc->context_facts.is_null()) {
        run.context = context::context_from_facts(doc->context_facts);
    }
}

void take_attempts(const std::vector<rundir::AttemptRecord>& attempts, RunModel& run) {
    for (const auto& attempt : attempts) {
        run.attempt_ends.push_back(AttemptEnd{
            .attempt = attempt.attempt,
            .pid = attempt.pid,
            .wait = WaitStatus{attempt.wait.code, attempt.wait.signal, attempt.wait.core_dumped},
            .started_ns = attempt.started_ns,
            .ended_ns = attempt.ended_ns,
            .forwarded_signal = attempt.forwarded_signal,
            .exited_ns = attempt.exited_ns});
    }
}

// attempts.json (or what the supervisor knows of it).
void take_attempts_file(RunModel& run, const KnownEnd* known) {
    auto attempts = known != nullptr && known->attempts
                        ? known->attempts
                        : rundir::read_attempts_file(run.dir, run.warnings);
    if (attempts) {
        take_attempts(*attempts, run);
    }
}

// end.json (or what the supervisor knows of it); `anchor` gets its ended/ended_ns pair, the
// clock's last resort when neither a journal nor run.json has one. Returns its write failures.
std::vector<rundir::WriteFailureRecord> take_end_file(RunModel& run, const KnownEnd* known,
                                                      std::optional<ClockAnchor>& anchor) {
    auto end =
        known != nullptr && known->end ? known->end : rundir::read_end_file(run.dir, run.warnings);
    if (!end) {
        return {};
    }
    run.finished = true;
    run.ended = end->ended;
    run.ended_ns = end->ended_ns;
    if (run.ended && end->ended_ns) {
        if (auto wall = base::parse_iso8601_utc(*run.ended)) {
            anchor = ClockAnchor{*end->ended_ns, static_cast<double>(*wall) / 1e9};
        }
    }
    run.forwarded_signal = end->forwarded_signal;
    run.blackbox_exit_code = end->exit_code;
    if (run.attempt_ends.empty()) {
        take_attempts(end->attempts, run);
    }
    if (end->duration_s) {
        run.duration_s = *end->duration_s;
    }
    return std::move(end->write_failures);
}

// Tests by node id, one map per pytest session (a node id run by two sessions is two tests).
// The keys view the node ids held by RunModel::tests, whose elements never move (a deque) and
// whose node ids are never reassigned: a 100,000-test run keeps each node id once.
using NodeIndex = std::unordered_map<std::string_view, std::size_t>;
using TestIndex = std::vector<NodeIndex>;

// Items in collection order, session by session (`files` are in that order), first collector of
// a session wins; every worker collects the whole suite. Only the node ids are kept: the model
// must stay small for a 100,000-test run.
void read_collected(RunModel& run, const std::vector<journal::ProcessFiles>& files,
                    TestIndex& index) {
    for (const auto& process : files) {
        auto& session = index[static_cast<std::size_t>(process.session)];
        // A torn last item means the writer died while writing the list: it is skipped.
        journal::for_each_object(process.collected, [&](const journal::Record& item) {
            auto nodeid = item.name("nodeid");
            if (!nodeid) {
                return;
            }
            if (session.count(*nodeid) != 0) {
                return;
            }
            auto& test = run.tests.emplace_back();
            test.nodeid = std::move(*nodeid);
            test.outcome = "not_run";
            test.session = process.session;
            session.emplace(test.nodeid, run.tests.size() - 1);
        });
    }
}

std::size_t phases_reported(const TestResult& test) {
    return (test.setup ? 1U : 0U) + (test.call ? 1U : 0U) + (test.teardown ? 1U : 0U);
}

// A try that pytest-rerunfailures ran again, in a few words: the phase whose report said
// "rerun" (the call: failed; the setup or teardown: error), its text, its duration.
journal::RerunTry rerun_try(const TestResult& test) {
    journal::RerunTry tried{"failed", "call", std::nullopt, test.duration_s()};
    using Outcome = PhaseResult::Outcome;
    for (const auto& [phase, name] :
         {std::pair{&test.setup, "setup"}, std::pair{&test.call, "call"},
          std::pair{&test.teardown, "teardown"}}) {
        if (*phase && (*phase)->outcome == Outcome::failed) {
            tried.phase = name;
            tried.outcome = std::string_view(name) == "call" ? "failed" : "error";
            if ((*phase)->details) {
                tried.longrepr = (*phase)->details->longrepr;
            }
            break;
        }
    }
    return tried;
}

// A later report of a test already in the run: it replaces the earlier one only when it got
// further, or when the earlier one was a try that pytest-rerunfailures ran again (kept in
// `reruns`).
void merge_into(TestResult& test, TestResult&& result) {
    if (test.rerun && result.attempt == test.attempt) {
        auto tries = std::move(test.reruns);
        tries.push_back(rerun_try(test));
        tries.insert(tries.end(), std::make_move_iterator(result.reruns.begin()),
                     std::make_move_iterator(result.reruns.end()));
        result.reruns = std::move(tries);
        result.nodeid = std::move(test.nodeid);  // the index views it: it must not be freed
        test = std::move(result);
        return;
    }
    if (phases_reported(result) >= phases_reported(test)) {
        result.nodeid = std::move(test.nodeid);  // the index views it: it must not be freed
        test = std::move(result);
    }
}

// Under `--dist each` every worker runs every test: the run keeps one entry per test and worker,
// found here by "<session>\n<worker>\n<node id>" (only such runs fill it).
using WorkerIndex = std::unordered_map<std::string, std::size_t>;

std::string worker_key(int session, std::string_view worker, std::string_view nodeid) {
    return fmt::format("{}\n{}\n{}", session, worker, nodeid);
}

// The entry of a test as one session ran it (as one worker ran it under `--dist each`).
std::optional<std::size_t> find_test(const TestIndex& index, const WorkerIndex& workers,
                                     int session, std::string_view nodeid,
                                     const std::optional<std::string>& worker) {
    if (worker && !workers.empty()) {
        auto found = workers.find(worker_key(session, *worker, nodeid));
        if (found != workers.end()) {
            return found->second;
        }
    }
    const auto& tests = index[static_cast<std::size_t>(session)];
    auto found = tests.find(nodeid);
    return found == tests.end() ? std::nullopt : std::optional<std::size_t>(found->second);
}

// Moves a test's result into the run as the replay passes it (a 100,000-test run is never held
// twice). `each`: the result is a worker's under `--dist each`, kept apart from the other
// workers' results of the same test; the first worker's takes the collected entry (collection
// order), the others' follow in the order of the run.
void merge_result(RunModel& run, TestResult&& result, TestIndex& sessions, WorkerIndex& workers,
                  bool each) {
    auto& index = sessions[static_cast<std::size_t>(result.session)];
    if (each && result.worker) {
        auto key = worker_key(result.session, *result.worker, result.nodeid);
        if (auto found = workers.find(key); found != workers.end()) {
            merge_into(run.tests[found->second], std::move(result));
            return;
        }
        auto plain = index.find(result.nodeid);
        if (plain != index.end()) {
            auto& collected = run.tests[plain->second];
            if (!collected.worker && phases_reported(collected) == 0) {
                result.nodeid = std::move(collected.nodeid);  // the index views it
                collected = std::move(result);
                workers.emplace(std::move(key), plain->second);
                return;
            }
        }
        auto& test = run.tests.emplace_back(std::move(result));
        workers.emplace(std::move(key), run.tests.size() - 1);
        if (plain == index.end()) {
            index.emplace(test.nodeid, run.tests.size() - 1);
        }
        return;
    }
    auto found = index.find(result.nodeid);
    if (found == index.end()) {
        auto& test = run.tests.emplace_back(std::move(result));
        index.emplace(test.nodeid, run.tests.size() - 1);
        return;
    }
    merge_into(run.tests[found->second], std::move(result));
}

// Under `--dist each` every worker runs every test, and the run keeps one entry per test and
// worker. A test that fewer workers ran than the session started before its first test (its
// lanes: a replacement worker continues a dead one's lane) is completed with a `not_run` entry
// per lane missing, naming a worker that has no entry of it; so is an entry no worker reported.
void complete_dist_each(RunModel& run, const std::vector<journal::ProcessReplay>& replays,
                        const std::set<std::pair<int, int>>& each_attempts) {
    std::map<int, std::set<std::string>> lanes;  // session -> the workers it started first
    for (const auto& [session, attempt] : each_attempts) {
        std::int64_t first_test = 0;
        for (const auto& test : run.tests) {
            if (test.session == session && test.attempt == attempt && test.setup &&
                test.setup->begin_ns != 0 &&
                (first_test == 0 || test.setup->begin_ns < first_test)) {
                first_test = test.setup->begin_ns;
            }
        }
        std::set<std::string> started;
        for (const auto& replay : replays) {
            if (replay.files.is_worker() && replay.files.session == session &&
                replay.files.attempt == attempt &&
                (first_test == 0 || replay.first_ns < first_test)) {
                started.insert(replay.files.role);
            }
        }
        auto& known = lanes[session];
        if (started.size() > known.size()) {
            known = std::move(started);
        }
    }
    std::map<std::pair<int, std::string_view>, std::vector<std::size_t>> entries;
    for (std::size_t i = 0; i < run.tests.size(); ++i) {
        const auto& test = run.tests[i];
        if (lanes.count(test.session) != 0) {
            entries[{test.session, test.nodeid}].push_back(i);
        }
    }
    for (const auto& [key, indexes] : entries) {
        const auto& workers = lanes[key.first];
        std::set<std::string> missing = workers;
        for (auto i : indexes) {
            if (run.tests[i].worker) {
                missing.erase(*run.tests[i].worker);
            }
        }
        auto next = missing.begin();
        for (auto i : indexes) {
            auto& test = run.tests[i];
            if (!test.worker && phases_reported(test) == 0 && next != missing.end()) {
                test.worker = *next++;
            }
        }
        for (std::size_t n = indexes.size(); n < workers.size(); ++n) {
            const auto& model = run.tests[indexes.front()];  // a deque: it stays where it is
            TestResult added;
            added.nodeid = model.nodeid;
            added.outcome = "not_run";
            added.session = key.first;
            added.attempt = model.attempt;
            if (next != missing.end()) {
                added.worker = *next++;
            }
            run.tests.push_back(std::move(added));
        }
    }
}

// The anchor between the monotonic clock and the wall clock: a `start` record's own pair (a
// float wall time, microsecond precise), else run.json's start (milliseconds).
std::optional<ClockAnchor> clock_anchor(const RunModel& run,
                                        const std::vector<journal::ProcessReplay>& replays) {
    for (const auto& replay : replays) {
        if (!replay.start.is_object()) {
            continue;
        }
        auto wall = replay.start.find("wall");
        auto ns = replay.start.find("ns");
        if (wall != replay.start.end() && wall->is_number() && ns != replay.start.end() &&
            ns->is_number_integer()) {
            return ClockAnchor{ns->get<std::int64_t>(), wall->get<double>()};
        }
    }
    if (run.started && run.started_ns) {
        if (auto wall = base::parse_iso8601_utc(*run.started)) {
            return ClockAnchor{*run.started_ns, static_cast<double>(*wall) / 1e9};
        }
    }
    return std::nullopt;
}

// pytest-monitor's controls are the same in every process of a run (xdist hands the options to
// its workers): the first process that wrote them speaks for the run.
void merge_monitor(RunModel& run, std::vector<journal::ProcessReplay>& replays) {
    for (const auto& replay : replays) {
        if (replay.monitor) {
            run.monitor = *replay.monitor;
            break;
        }
    }
    for (auto& replay : replays) {
        std::move(replay.scopes.begin(), replay.scopes.end(), std::back_inserter(run.scopes));
        replay.scopes.clear();
    }
}

// Each attempt's options that repeat its random order, from its main process's `start`.
void take_seed_options(RunModel& run, const std::vector<journal::ProcessReplay>& replays) {
    for (const auto& replay : replays) {
        if (replay.files.is_worker() || !replay.start.is_object()) {
            continue;
        }
        auto found = replay.start.find("seed_options");
        if (found == replay.start.end() || !found->is_array()) {
            continue;
        }
        std::vector<std::string> words;
        for (const auto& word : *found) {
            if (word.is_string()) {
                words.push_back(word.get<std::string>());
            }
        }
        run.seed_options.push_back({replay.files.attempt, replay.files.session, std::move(words)});
    }
}

void merge_context(RunModel& run, const std::vector<journal::ProcessReplay>& replays) {
    if (!run.context.is_object()) {
        run.context = json::object();
    }
    for (const auto& replay : replays) {
        if (replay.files.is_worker() || !replay.start.is_object()) {
            continue;
        }
        for (const char* key : {"python", "pytest", "xdist", "pytest_monitor"}) {
            if (auto it = replay.start.find(key); it != replay.start.end()) {
                run.context[key] = *it;
            }
        }
        if (auto rootdir = base::name_at(replay.start, "rootdir")) {
            run.rootdir = *rootdir;
        }
        if (run.cwd.empty()) {
            run.cwd = base::name_at(replay.start, "cwd").value_or("");
        }
        if (run.command.empty()) {
            if (auto argv = replay.start.find("argv");
                argv != replay.start.end() && argv->is_array()) {
                for (const auto& arg : *argv) {
                    if (arg.is_string()) {
                        run.command.push_back(arg.get<std::string>());
                    }
                }
            }
        }
        break;
    }
}

// What supervisor.jsonl says, into the run: the memory limit, the supervisor's death, the
// processes pytest left running. Returns the watchdogs' verdicts.
std::vector<Verdict> take_supervisor_log(const live::SupervisorLogFacts& facts, RunModel& run) {
    if (facts.memory_limit) {
        run.memory.limit = facts.memory_limit;
    }
    if (const auto& lost = facts.supervisor_lost) {
        run.supervisor_lost = SupervisorLoss{lost->attempt, lost->pid, lost->ns, lost->group_killed,
                                             lost->cgroup_killed};
    }
    for (const auto& left : facts.left_running) {
        run.left_running.push_back(LeftProcess{left.attempt, left.pid, left.command, left.in_group,
                                               left.stopped, left.started_ns, std::nullopt});
    }
    std::vector<Verdict> verdicts;
    for (const auto& verdict : facts.verdicts) {
        verdicts.push_back(Verdict{verdict.ev, verdict.pid, verdict.attempt, verdict.evidence});
    }
    return verdicts;
}

const journal::ProcessReplay* last_main(const std::vector<journal::ProcessReplay>& replays) {
    const journal::ProcessReplay* found = nullptr;
    for (const auto& replay : replays) {
        if (!replay.files.is_worker()) {
            found = &replay;
        }
    }
    return found;
}

void count(RunModel& run) {
    Counts& counts = run.counts;
    counts.collected = run.tests.size();
    for (const auto& test : run.tests) {
        const auto& o = test.outcome;
        counts.passed += o == "passed";
        counts.failed += o == "failed";
        counts.skipped += o == "skipped";
        counts.xfailed += o == "xfailed";
        counts.xpassed += o == "xpassed";
        counts.errors += o == "error";
        counts.crashed += o == "crashed";
        counts.not_run += o == "not_run";
        counts.interrupted += o == "not_run" && test.interrupted.has_value();
    }
    counts.errors += run.collect_errors.size();
}

// A test whose forked child died (pytest-forked) is a crash of that test: attribution looks
// for dead pytest processes, and the recording process lived on. The child's faulthandler wrote
// into a file of its own (faulthandler/<stem>.fork-<pid>.txt).
void add_child_deaths(RunModel& run) {
    for (const auto& test : run.tests) {
        if (!test.child_death || test.crash) {
            continue;
        }
        const auto& death = *test.child_death;
        Crash crash;
        crash.nodeid = test.nodeid;
        crash.phase = death.phase;
        crash.worker = test.worker;
        crash.signal = death.signal;
        crash.cause = death.signal ? cause_for_signal(*death.signal) : "unknown";
        std::string child = death.pid != 0
                                ? fmt::format("the test's forked child (pid {})", death.pid)
                                : std::string("the test's forked child");
        crash.evidence =
            death.signal
                ? fmt::format("pytest-forked: {} was killed by signal {} ({}); pytest went on",
                              child, *death.signal, base::signal_name(*death.signal))
                : fmt::format("pytest-forked: {} died: {}; pytest went on", child, death.report);
        crash.attempt = test.attempt;
        crash.pid = test.pid;
        crash.session = test.session;
        crash.forked = true;
        crash.child_pid = death.pid;
        crash.since_ns = death.since_ns;
        crash.died_ns = death.ns;
        if (death.pid != 0) {
            auto stem =
                fmt::format("{}-{}-{}", test.attempt, test.worker.value_or("main"), test.pid);
            auto path = run.dir / rundir::kFaulthandlerFolder /
                        fmt::format("{}.fork-{}.txt", stem, death.pid);
            if (auto dump = journal::read_last_dump(path, run.warnings); dump && dump->fatal) {
                crash.traceback = std::move(dump->text);
                crash.frames = std::move(dump->frames);
            }
        }
        run.crashes.push_back(std::move(crash));
    }
}

std::string derive_status(const RunModel& run, const journal::ProcessReplay* main) {
    if (!run.running.empty()) {
        return "running";
    }
    bool recorder_stopped =
        run.recorder == "supervisor" ? !run.finished : (main != nullptr && main->cut_short());
    if (recorder_stopped) {
        return "incomplete";
    }
    if (!run.crashes.empty()) {
        return "crashed";
    }
    if (run.forwarded_signal || (main != nullptr && main->interrupt)) {
        return "interrupted";
    }
    std::optional<int> status = run.pytest_exitstatus;
    if (!status) {
        status = run.exit.signal ? std::nullopt : run.exit.code;
    }
    if (status == 0 && main != nullptr) {
        // A command that ran pytest more than once ends with its last session's status: the
        // run failed when any session's tests did.
        if (run.sessions > 1 && run.counts.failed + run.counts.errors != 0) {
            return "failed";
        }
        return "passed";
    }
    if (status == 1) {
        return "failed";
    }
    return "error";
}

// "12:00:01.250 UTC" for a monotonic instant, or "ns N" without a clock anchor.
std::string time_text(const RunModel& run, std::int64_t ns) {
    if (!run.clock) {
        return fmt::format("ns {}", ns);
    }
    double wall = run.clock->wall_at(ns);
    auto whole = static_cast<std::int64_t>(wall);
    auto iso =
        base::iso8601_utc(whole * 1'000'000'000 +
                          static_cast<std::int64_t>((wall - static_cast<double>(whole)) * 1e9));
    // "2026-11-22T04:21:19.512Z" -> "04:21:19.512 UTC"
    auto t = iso.find('T');
    return t == std::string::npos ? iso : iso.substr(t + 1, iso.size() - t - 2) + " UTC";
}

std::string process_name(const journal::ProcessFiles& files) {
    return fmt::format("{} (pid {})", files.role, files.pid);
}

std::string describe_loss(const RunModel& run, const journal::ProcessReplay& replay,
                          const journal::JournalLoss& loss) {
    std::string text = fmt::format(
        "{}: {} lost from {}", process_name(replay.files),
        loss.records ? fmt::format("{} journal records", *loss.records) : "journal records",
        time_text(run, loss.since_ns));
    if (loss.until_ns) {
        text += fmt::format(" to {}", time_text(run, *loss.until_ns));
    }
    if (loss.after) {
        text += fmt::format(", after {}", *loss.after);
    }
    text += fmt::format(" ({})", loss.reason);
    if (!loss.until_ns) {
        text += loss.ended ? "; the process then finished its session: its results from there "
                             "are missing, not crashed"
                           : "; the journal ends there: what the process did next is unknown";
    }
    return text;
}

std::string describe_failure(const RunModel& run, const rundir::WriteFailureRecord& failure) {
    std::string text = fmt::format("supervisor: {}", failure.file);
    if (failure.lost) {
        text += failure.unit.empty() ? fmt::format(": {} lost", *failure.lost)
                                     : fmt::format(": {} {} lost", *failure.lost, failure.unit);
    } else {
        text += " not written";
    }
    if (failure.since_ns) {
        text += fmt::format(" from {}", time_text(run, *failure.since_ns));
    }
    return text + fmt::format(" ({})", failure.error);
}

// Without end.json (a plugin-mode run, a supervisor that was killed), how long the run lasted as
// far as its journals tell: from its start (run.json's, else the first record) to the last
// record of any journal, or to a crashed process's dated death when that is later.
double recorded_span_s(const RunModel& run, const std::vector<journal::ProcessReplay>& replays) {
    std::int64_t first = run.started_ns.value_or(0), last = 0;
    for (const auto& replay : replays) {
        if (replay.first_ns != 0 && (first == 0 || replay.first_ns < first)) {
            first = replay.first_ns;
        }
        last = std::max(last, replay.last_ns);
    }
    for (const auto& crash : run.crashes) {
        last = std::max(last, crash.died_ns.value_or(0));
    }
    return first != 0 && last > first ? static_cast<double>(last - first) / 1e9 : 0.0;
}

}  // namespace

RunModel load_run(const std::filesystem::path& dir, const KnownEnd* known) {
    rundir::check_run_directory(dir);
    std::error_code error;
    bool has_run_json = std::filesystem::is_regular_file(
        std::filesystem::symlink_status(dir / rundir::kRunFile, error));
    bool has_journals = std::filesystem::is_directory(
        std::filesystem::symlink_status(dir / rundir::kJournalFolder, error));
    if (!has_run_json && !has_journals) {
        throw Error(fmt::format("{} is not a blackbox run directory (no run.json, no journal/)",
                                dir.string()),
                    kNotARunExitCode);
    }
    RunModel run;
    run.dir = dir;
    take_run_file(run);
    take_attempts_file(run, known);
    std::optional<ClockAnchor> end_anchor;
    auto write_failures = take_end_file(run, known, end_anchor);
    if (known != nullptr) {
        run.recorder = "supervisor";  // the supervisor asks, even when run.json was not written
    }

    std::string journal_error;
    auto files = journal::find_process_files(dir, &journal_error);
    if (!journal_error.empty()) {
        // The journals are the record of what pytest did: without them there is no post-mortem
        // to tell, and "0 collected" would be a lie.
        throw Error(fmt::format("{}: cannot read the journals: {}", dir.string(), journal_error),
                    kNotARunExitCode);
    }
    // The sessions first: the files are then in session order, each attempt's controller
    // before its workers.
    run.sessions = number_sessions(files);
    // Collected items first (collection order), then each journal's results moved in.
    TestIndex index(run.sessions);
    WorkerIndex workers;
    // The (session, attempt) whose xdist controller ran `--dist each`.
    std::set<std::pair<int, int>> each_attempts;
    read_collected(run, files, index);
    std::vector<journal::ProcessReplay> replays;
    replays.reserve(files.size());
    for (const auto& process : files) {
        // A controller's journal is replayed before its workers' (number_sessions' order).
        bool each =
            process.is_worker() && each_attempts.count({process.session, process.attempt}) != 0;
        replays.push_back(journal::replay_process(process, [&](TestResult&& test) {
            test.session = process.session;
            merge_result(run, std::move(test), index, workers, each);
        }));
        auto& replay = replays.back();
        if (replay.controller && replay.dist == "each") {
            each_attempts.insert({process.session, process.attempt});
            run.dist_each = true;
        }
        auto& warnings = replay.warnings;
        run.warnings.insert(run.warnings.end(), warnings.begin(), warnings.end());
        if (const auto& reason = replay.disabled) {
            run.recording_stopped.push_back(
                fmt::format("{} (pid {}): {}", process.role, process.pid, *reason));
        }
        if (auto loss = journal::read_unrecovered_loss(process, run.warnings)) {
            loss->after = replay.loss_after();
            replay.losses.push_back(std::move(*loss));
            replay.lost_end = !replay.exited;
        }
        run.attempts = std::max(run.attempts, process.attempt);
    }
    if (!has_run_json && !replays.empty() && run.recorder.empty()) {
        run.recorder = "plugin";
    }

    merge_context(run, replays);
    take_seed_options(run, replays);
    merge_monitor(run, replays);
    run.clock = clock_anchor(run, replays);
    if (!run.clock) {
        run.clock = end_anchor;
    }
    for (auto& replay : replays) {
        std::error_code size_error;
        if (replay.start.is_null() && replay.first_ns == 0 && !replay.lost_end &&
            std::filesystem::file_size(replay.files.journal, size_error) == 0 && !size_error) {
            // Not one record, not even `start`, which the plugin writes as it opens the
            // journal: nothing could be written (a full disk). No crash can be told from that.
            replay.lost_end = true;
            run.recording_lost.push_back(fmt::format(
                "{}: its journal is empty: nothing it recorded could be written (a full disk?); "
                "what it did is unknown",
                process_name(replay.files)));
        }
    }
    for (const auto& replay : replays) {
        for (const auto& loss : replay.losses) {
            run.recording_lost.push_back(describe_loss(run, replay, loss));
        }
    }
    for (const auto& failure : write_failures) {
        run.recording_lost.push_back(describe_failure(run, failure));
    }
    if (!write_failures.empty()) {
        // The run directory could not be written: a process whose journal just stops, while
        // the supervisor saw pytest exit rather than die of a signal, lost its records; it did
        // not crash (a signal death is still a crash).
        for (auto& replay : replays) {
            const AttemptEnd* end = nullptr;
            for (const auto& attempt : run.attempt_ends) {
                if (attempt.attempt == replay.files.attempt) {
                    end = &attempt;
                }
            }
            if (replay.cut_short() && end != nullptr && !end->wait.signal) {
                replay.lost_end = true;
                run.recording_lost.push_back(fmt::format(
                    "{}: its journal stops at {} while the run directory could not be written; "
                    "its results from there are missing, not crashed",
                    process_name(replay.files),
                    replay.last_ns != 0 ? time_text(run, replay.last_ns) : "its start"));
            }
        }
    }
    for (const auto& replay : replays) {
        for (const auto& collect_error : replay.collect_errors) {
            bool seen = std::any_of(run.collect_errors.begin(), run.collect_errors.end(),
                                    [&](const CollectError& known_error) {
                                        return known_error.nodeid == collect_error.nodeid &&
                                               known_error.session == replay.files.session;
                                    });
            if (!seen) {
                run.collect_errors.push_back(collect_error);
                run.collect_errors.back().session = replay.files.session;
            }
        }
    }

    for (const auto& replay : replays) {
        if (!replay.files.is_worker()) {
            run.user_reports.insert(run.user_reports.end(), replay.user_reports.begin(),
                                    replay.user_reports.end());
        }
    }
    const journal::ProcessReplay* main = last_main(replays);
    if (main != nullptr) {
        run.pytest_exitstatus = main->exitstatus;
    }
    if (!run.attempt_ends.empty()) {
        run.exit = run.attempt_ends.back().wait;
    }

    std::vector<ProcessEvidence> evidence;
    evidence.reserve(replays.size());
    for (const auto& replay : replays) {
        evidence.push_back(ProcessEvidence{
            &replay, journal::read_last_dump(replay.files.faulthandler, run.warnings)});
    }
    auto supervisor_log = live::read_supervisor_log(run.dir);
    auto verdicts = take_supervisor_log(supervisor_log, run);
    std::optional<ProcessIdentity> supervisor;
    if (supervisor_log.supervisor) {
        supervisor = identity_of(*supervisor_log.supervisor);
    }
    run.running = running_processes(replays, supervisor, run.finished, ProcessTable());
    EndFacts end{
        run.attempt_ends, run.forwarded_signal, std::move(verdicts), {}, run.supervisor_lost};
    for (const auto& process : run.running) {
        if (process.role != "supervisor") {
            end.running.emplace_back(process.attempt, process.pid);
        }
    }
    run.crashes = attribute_crashes(evidence, end);

    for (auto& crash : run.crashes) {
        auto stem =
            fmt::format("{}-{}-{}", crash.attempt, crash.worker.value_or("main"), crash.pid);
        auto captured = live::read_captured_output(dir, stem, crash.nodeid, run.warnings);
        crash.captured_stdout = std::move(captured.out);
        crash.captured_stderr = std::move(captured.err);
        crash.captured_log = std::move(captured.log);
        auto native = read_native_evidence(dir / rundir::kNativeFolder / (stem + ".txt"),
                                           crash.traceback, run.warnings);
        if (native) {
            crash.native = std::move(native->stacks);
            crash.native_source = std::move(native->source);
        }
    }
    add_child_deaths(run);
    for (auto& test : run.tests) {
        test.outcome = derive_outcome(test);
    }
    for (std::size_t i = 0; i < run.crashes.size(); ++i) {
        const auto& crash = run.crashes[i];
        if (!crash.nodeid || crash.phase == "collect" || crash.phase == "session") {
            continue;
        }
        auto found = find_test(index, workers, crash.session, *crash.nodeid, crash.worker);
        // A later attempt's result stands: under `--dist each` a restart runs again a test a
        // worker died in because the run died (write_skip_list).
        if (found && run.tests[*found].attempt <= crash.attempt) {
            run.tests[*found].outcome = "crashed";
            run.tests[*found].crash = i;
        }
    }
    // A test the user's stop caught running keeps no outcome ("not_run") but says so.
    for (auto& interruption : find_interruptions(replays, run)) {
        auto found = find_test(index, {}, interruption.session, interruption.nodeid, std::nullopt);
        if (!found || run.tests[*found].outcome != "not_run") {
            continue;
        }
        run.tests[*found].interrupted = run.interruptions.size();
        run.interruptions.push_back(std::move(interruption));
    }
    for (auto& left : run.left_running) {
        if (left.started_ns) {
            // /proc gives a start to the clock tick (USER_HZ, 100 on Linux): within 10 ms after.
            constexpr std::int64_t kTickNs = 10'000'000;
            if (auto test = test_running_at(run, left.attempt, *left.started_ns,
                                            *left.started_ns + kTickNs)) {
                left.started_during = run.tests[*test].nodeid;
            }
        }
    }
    add_memory_trail(run, dir / rundir::kSamplesFile);
    date_deaths(run, replays);
    cut_crashed_tests(run);
    run.memory.suspect = memory_suspect(run);
    if (!run.finished) {
        run.duration_s = recorded_span_s(run, replays);
    }
    for (const auto& replay : replays) {
        // Every xdist worker deselects the same items; the controller deselects none. What a
        // restart deselected is not the user's: each attempt deselects every test run before it.
        const std::size_t all = replay.deselected_count.value_or(0);
        const std::size_t resumed = std::min(replay.resumed_count, all);
        run.counts.deselected = std::max(run.counts.deselected, all - resumed);
        run.counts.resume_deselected = std::max(run.counts.resume_deselected, resumed);
    }
    if (!each_attempts.empty()) {
        for (const auto& [session, attempt] : each_attempts) {
            run.each_sessions.insert(session);
        }
        complete_dist_each(run, replays, each_attempts);
        for (auto& test : run.tests) {
            test.each_worker = test.worker && run.each_sessions.count(test.session) != 0;
            if (test.crash) {
                run.crashes[*test.crash].each_worker = test.each_worker;
            }
        }
    }
    count(run);
    run.course = run_course(replays, run);
    run.settings = run_settings(replays, run);
    run.status = derive_status(run, main);
    return run;
}

namespace {

// pytest's convention for a whole suite, over every attempt.
int suite_exit_code(const Counts& counts) {
    return counts.failed + counts.errors + counts.crashed != 0 ? 1 : 0;
}

// A run under --max-restarts whose last main process died in a test when no test was left to
// run (its last test crashed): the suite completed, and the run's status is the suite's, as
// after a restart. A death outside a test (collection, start-up, after the session), or a run
// the user stopped, keeps the death's status.
bool completed_despite_death(const RunModel& run, int last_attempt) {
    if (run.max_restarts == 0 || run.forwarded_signal || run.counts.collected == 0 ||
        run.counts.not_run != 0) {
        return false;
    }
    return std::any_of(run.crashes.begin(), run.crashes.end(), [&](const Crash& crash) {
        return crash.attempt == last_attempt && !crash.worker && crash.nodeid &&
               (crash.phase == "setup" || crash.phase == "call" || crash.phase == "teardown");
    });
}

}  // namespace

int run_exit_code(const RunModel& run) {
    int last_attempt = run.attempt_ends.empty() ? 1 : run.attempt_ends.back().attempt;
    if (run.exit.signal) {
        return completed_despite_death(run, last_attempt) ? suite_exit_code(run.counts)
                                                          : 128 + *run.exit.signal;
    }
    int code = run.exit.code.value_or(1);
    bool cut_short = std::any_of(run.crashes.begin(), run.crashes.end(), [&](const Crash& crash) {
        return crash.cause == "exit" && !crash.worker && crash.attempt == last_attempt;
    });
    if (cut_short) {
        return completed_despite_death(run, last_attempt) ? suite_exit_code(run.counts)
                                                          : (code == 0 ? 1 : code);
    }
    if (last_attempt > 1 && (code == 0 || code == 1 || code == 5)) {
        // Resumed to completion: pytest's convention for the whole suite, over every attempt
        // (the last attempt alone may have run nothing: exit 5).
        return suite_exit_code(run.counts);
    }
    return code;
}

}  // namespace blackbox::postmortem
