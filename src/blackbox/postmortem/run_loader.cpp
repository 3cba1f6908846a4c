#include <algorithm>
#include <iterator>
#include <unordered_map>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/regular_file.hpp>
#include <blackbox/journal/process_files.hpp>
#include <blackbox/journal/process_replay.hpp>
#include <blackbox/journal/reader.hpp>
#include <blackbox/postmortem/attribution.hpp>
#include <blackbox/postmortem/left_behind.hpp>
#include <blackbox/postmortem/memory_trail.hpp>
#include <blackbox/postmortem/process_liveness.hpp>
#include <blackbox/postmortem/run_directory_check.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/postmortem/test_outcome.hpp>
#include <blackbox/rundir/json_fields.hpp>
#include <blackbox/rundir/run_file.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::postmortem {

namespace {

using nlohmann::json;

// The bounds of what is read whole: far above any real file, far below what would hurt.
constexpr std::size_t kMaxFaultFileBytes = 1024 * 1024;  // faulthandler's file: its last dumps
constexpr std::size_t kMaxCaptureBytes = 1024 * 1024;    // a dying test's output: its end
constexpr std::size_t kMaxLogTrailBytes = 4 * 1024 * 1024;

// The file's text, or nullopt with a warning when it exists but cannot be read.
std::optional<std::string> read_run_file(const std::filesystem::path& path, std::size_t max_bytes,
                                         bool keep_tail, std::vector<std::string>& warnings) {
    auto read = base::read_regular_file(path, max_bytes, keep_tail);
    if (!read.text && !read.missing) {
        warnings.push_back(fmt::format("{}: not read: {}", path.filename().string(), read.error));
    }
    return std::move(read.text);
}

std::optional<std::string> string_at(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? std::optional(it->get<std::string>())
                                                 : std::nullopt;
}

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
    if (doc->context.is_object()) {
        run.context = std::move(doc->context);
    }
}

void take_attempts(const std::vector<rundir::AttemptRecord>& attempts, RunModel& run) {
    for (const auto& attempt : attempts) {
        run.attempt_ends.push_back(AttemptEnd{
            attempt.attempt, attempt.pid,
            WaitStatus{attempt.wait.code, attempt.wait.signal, attempt.wait.core_dumped}});
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

// Tests by node id. The keys view the node ids held by RunModel::tests, whose elements never
// move (a deque) and whose node ids are never reassigned: a 100,000-test run keeps each node id
// once.
using TestIndex = std::unordered_map<std::string_view, std::size_t>;

// Items in collection order, first collector wins; every worker collects the whole suite.
// Only the node ids are kept: the model must stay small for a 100,000-test run.
void read_collected(RunModel& run, const std::vector<journal::ProcessFiles>& files,
                    TestIndex& index) {
    for (const auto& process : files) {
        // A torn last item means the writer died while writing the list: it is skipped.
        journal::for_each_object(process.collected, [&](const journal::Record& item) {
            auto nodeid = item.name("nodeid");
            if (!nodeid) {
                return;
            }
            if (index.count(*nodeid) != 0) {
                return;
            }
            auto& test = run.tests.emplace_back();
            test.nodeid = std::move(*nodeid);
            test.outcome = "not_run";
            index.emplace(test.nodeid, run.tests.size() - 1);
        });
    }
}

std::size_t phases_reported(const TestResult& test) {
    return (test.setup ? 1U : 0U) + (test.call ? 1U : 0U) + (test.teardown ? 1U : 0U);
}

// Moves a test's result into the run as the replay passes it (a 100,000-test run is never held
// twice); a later report of the same test replaces an earlier one only when it got further.
void merge_result(RunModel& run, TestResult&& result, TestIndex& index) {
    auto found = index.find(result.nodeid);
    if (found == index.end()) {
        auto& test = run.tests.emplace_back(std::move(result));
        index.emplace(test.nodeid, run.tests.size() - 1);
        return;
    }
    auto& test = run.tests[found->second];
    if (phases_reported(result) >= phases_reported(test)) {
        result.nodeid = std::move(test.nodeid);  // the index views it: it must not be freed
        test = std::move(result);
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

void merge_context(RunModel& run, const std::vector<journal::ProcessReplay>& replays) {
    if (!run.context.is_object()) {
        run.context = json::object();
    }
    for (const auto& replay : replays) {
        if (replay.files.is_worker() || !replay.start.is_object()) {
            continue;
        }
        for (const char* key : {"python", "pytest", "xdist"}) {
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

// The records the plugin's log trail (capture/<stem>.log) holds for `nodeid`: those after the
// last separator line, when it names that test ("\x1e<nodeid>").
std::optional<std::string> log_records_of(const std::filesystem::path& path,
                                          const std::string& nodeid,
                                          std::vector<std::string>& warnings) {
    auto text = read_run_file(path, kMaxLogTrailBytes, true, warnings);
    if (!text) {
        return std::nullopt;
    }
    auto separator = text->rfind('\x1e');
    if (separator == std::string::npos) {
        return std::nullopt;
    }
    auto end_of_line = text->find('\n', separator);
    if (end_of_line == std::string::npos ||
        text->compare(separator + 1, end_of_line - separator - 1, nodeid) != 0) {
        return std::nullopt;
    }
    return text->substr(end_of_line + 1);
}

// What supervisor.jsonl says (docs/formats/run-directory.md): the watchdogs' verdicts, who
// the supervisor was, and, into the run: the memory limit, the supervisor's death, the
// processes pytest left running.
struct SupervisorFacts {
    std::vector<Verdict> verdicts;
    std::optional<ProcessIdentity> supervisor;
};

LeftProcess left_process(const nlohmann::json& entry, int attempt) {
    LeftProcess left;
    left.attempt = attempt;
    left.pid = rundir::int_at(entry, "pid").value_or(0);
    left.command = string_at(entry, "command").value_or("");
    const auto flag = [&entry](const char* key) {
        auto it = entry.find(key);
        return it != entry.end() && it->is_boolean() && it->get<bool>();
    };
    left.in_group = flag("in_group");
    left.stopped = flag("stopped");
    if (auto started = entry.find("started_ns");
        started != entry.end() && started->is_number_integer()) {
        left.started_ns = started->get<std::int64_t>();
    }
    return left;
}

SupervisorFacts read_supervisor_log(const std::filesystem::path& dir, RunModel& run) {
    SupervisorFacts facts;
    auto& verdicts = facts.verdicts;
    journal::for_each_record(dir / rundir::kSupervisorLogFile, [&](const journal::Record& record) {
        auto ev = record.ev();
        if (ev == "limit") {
            if (auto bytes = record.integer("bytes")) {
                run.memory.limit = *bytes;
            }
            return;
        }
        const int attempt = static_cast<int>(record.integer("attempt").value_or(1));
        if (ev == "supervisor") {
            facts.supervisor = identity_of(record.to_json());
            return;
        }
        if (ev == "supervisor_lost") {
            run.supervisor_lost = SupervisorLoss{
                attempt, static_cast<long>(record.integer("pid").value_or(0)),
                record.integer("ns").value_or(0), record.boolean("group_killed").value_or(false),
                record.integer("cgroup_killed").value_or(0)};
            return;
        }
        if (ev == "leftovers") {
            auto processes = record.json("processes");
            if (processes.is_array()) {
                for (const auto& entry : processes) {
                    if (entry.is_object()) {
                        run.left_running.push_back(left_process(entry, attempt));
                    }
                }
            }
            return;
        }
        Verdict verdict;
        verdict.ev = std::string(ev);
        verdict.pid = static_cast<long>(record.integer("pid").value_or(0));
        verdict.attempt = attempt;
        if (ev == "hang") {
            verdict.evidence = fmt::format(
                "the hang watchdog killed it after its {} had run for {:.1f} s",
                record.string("phase").value_or("phase"), record.number("after_s").value_or(0));
        } else if (ev == "memory_limit" || ev == "oom") {
            verdict.evidence = std::string(record.string("evidence").value_or(ev));
        } else {
            return;
        }
        verdicts.push_back(std::move(verdict));
    });
    return facts;
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
    }
    counts.errors += run.collect_errors.size();
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

// A process's `.lost` file (lost/<stem>.lost): the plugin writes it, into room it reserved
// when it started, while its journal cannot be written; it says the loss was made good
// ("recovered") once writing worked again.
std::optional<journal::JournalLoss> unrecovered_loss(const journal::ProcessFiles& files,
                                                     std::vector<std::string>& warnings) {
    auto text = read_run_file(files.lost, 64 * 1024, false, warnings);
    if (!text) {
        return std::nullopt;
    }
    auto line = std::string_view(*text).substr(0, text->find_first_of(std::string_view("\n\0", 2)));
    auto doc = json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return std::nullopt;  // never written (the reserved room is zeros)
    }
    auto recovered = doc.find("recovered");
    if (recovered != doc.end() && recovered->is_boolean() && recovered->get<bool>()) {
        return std::nullopt;
    }
    journal::JournalLoss loss;
    if (auto since = doc.find("since_ns"); since != doc.end() && since->is_number_integer()) {
        loss.since_ns = since->get<std::int64_t>();
    }
    if (auto records = doc.find("records"); records != doc.end() && records->is_number_integer()) {
        loss.records = records->get<std::int64_t>();
    }
    loss.reason = string_at(doc, "reason").value_or("unknown");
    auto ended = doc.find("ended");
    loss.ended = ended != doc.end() && ended->is_boolean() && ended->get<bool>();
    return loss;
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

}  // namespace

RunModel load_run(const std::filesystem::path& dir, const KnownEnd* known) {
    check_run_directory(dir);
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
    // Collected items first (collection order), then each journal's results moved in.
    TestIndex index;
    read_collected(run, files, index);
    std::vector<journal::ProcessReplay> replays;
    replays.reserve(files.size());
    for (const auto& process : files) {
        replays.push_back(journal::replay_process(
            process, [&](TestResult&& test) { merge_result(run, std::move(test), index); }));
        auto& replay = replays.back();
        auto& warnings = replay.warnings;
        run.warnings.insert(run.warnings.end(), warnings.begin(), warnings.end());
        if (const auto& reason = replay.disabled) {
            run.recording_stopped.push_back(
                fmt::format("{} (pid {}): {}", process.role, process.pid, *reason));
        }
        if (auto loss = unrecovered_loss(process, run.warnings)) {
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
                                        return known_error.nodeid == collect_error.nodeid;
                                    });
            if (!seen) {
                run.collect_errors.push_back(collect_error);
            }
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
        ProcessEvidence item{&replay, std::nullopt};
        if (auto text =
                read_run_file(replay.files.faulthandler, kMaxFaultFileBytes, true, run.warnings)) {
            item.dump = parse_last_dump(*text);
        }
        evidence.push_back(std::move(item));
    }
    auto supervisor = read_supervisor_log(run.dir, run);
    run.running = running_processes(replays, supervisor.supervisor, run.finished, ProcessTable());
    EndFacts end{run.attempt_ends,
                 run.forwarded_signal,
                 std::move(supervisor.verdicts),
                 {},
                 run.supervisor_lost};
    for (const auto& process : run.running) {
        if (process.role != "supervisor") {
            end.running.emplace_back(process.attempt, process.pid);
        }
    }
    run.crashes = attribute_crashes(evidence, end);

    for (auto& crash : run.crashes) {
        auto stem =
            fmt::format("{}-{}-{}", crash.attempt, crash.worker.value_or("main"), crash.pid);
        crash.captured_stdout = read_run_file(dir / rundir::kCaptureFolder / (stem + ".stdout"),
                                              kMaxCaptureBytes, true, run.warnings);
        crash.captured_stderr = read_run_file(dir / rundir::kCaptureFolder / (stem + ".stderr"),
                                              kMaxCaptureBytes, true, run.warnings);
        if (crash.nodeid) {
            crash.captured_log = log_records_of(dir / rundir::kCaptureFolder / (stem + ".log"),
                                                *crash.nodeid, run.warnings);
        }
    }
    for (auto& test : run.tests) {
        test.outcome = derive_outcome(test);
    }
    for (std::size_t i = 0; i < run.crashes.size(); ++i) {
        const auto& crash = run.crashes[i];
        if (!crash.nodeid || crash.phase == "collect" || crash.phase == "session") {
            continue;
        }
        auto found = index.find(*crash.nodeid);
        if (found != index.end()) {
            run.tests[found->second].outcome = "crashed";
            run.tests[found->second].crash = i;
        }
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
    for (const auto& replay : replays) {
        // Every xdist worker deselects the same items; the controller deselects none.
        run.counts.deselected =
            std::max(run.counts.deselected, replay.deselected_count.value_or(0));
    }
    count(run);
    run.status = derive_status(run, main);
    return run;
}

int run_exit_code(const RunModel& run) {
    if (run.exit.signal) {
        return 128 + *run.exit.signal;
    }
    int code = run.exit.code.value_or(1);
    int last_attempt = run.attempt_ends.empty() ? 1 : run.attempt_ends.back().attempt;
    bool cut_short = std::any_of(run.crashes.begin(), run.crashes.end(), [&](const Crash& crash) {
        return crash.cause == "exit" && !crash.worker && crash.attempt == last_attempt;
    });
    if (cut_short) {
        return code == 0 ? 1 : code;
    }
    if (last_attempt > 1 && (code == 0 || code == 1 || code == 5)) {
        // Resumed to completion: pytest's convention for the whole suite, over every attempt
        // (the last attempt alone may have run nothing: exit 5).
        const auto& counts = run.counts;
        return counts.failed + counts.errors + counts.crashed != 0 ? 1 : 0;
    }
    return code;
}

}  // namespace blackbox::postmortem
