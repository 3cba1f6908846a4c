#include <cstring>
#include <fstream>
#include <string_view>
#include <unistd.h>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/plugin/plugin_environment.hpp>
#include <blackbox/postmortem/run_loader.hpp>
#include <blackbox/record/plugin_absence.hpp>
#include <blackbox/record/recording.hpp>
#include <blackbox/record/user_reports.hpp>
#include <blackbox/rundir/run_files.hpp>
#include <blackbox/supervise/session.hpp>

namespace blackbox::record {

namespace {

using nlohmann::json;

// Whether pytest should start again after an attempt, and why not when it should not.
struct Verdict {
    bool restart = false;
    std::string why;  // for the user
};

Verdict after_attempt(const postmortem::RunModel& run, const AttemptResult& attempt) {
    if (attempt.forwarded_signal) {
        return {false, "stopped on request"};
    }
    const postmortem::Crash* death = nullptr;
    for (const auto& crash : run.crashes) {
        if (crash.attempt == attempt.attempt && !crash.worker && !crash.forked) {
            death = &crash;  // a forked child's death is its test's: pytest went on
        }
    }
    if (death == nullptr) {
        return {false, "pytest finished its session"};
    }
    if (death->phase == "collect" || death->stage == "startup") {
        return {false,
                "a crash during collection cannot be skipped by restarting: fix or "
                "deselect " +
                    death->module.value_or("the module") + " first"};
    }
    if (death->stage == "shutdown") {
        return {false, "pytest died after its session: every test ran"};
    }
    if (run.counts.not_run == 0) {
        return {false, "no test is left to run"};
    }
    return {true, ""};
}

// Node ids that must not run again: every test with an outcome (finished or crashed), into
// resume/<attempt>.txt, and for a command that ran pytest more than once, each later session's
// into a file of its own (rundir::resume_file_name): a session skips only what it ran itself.
// Under `--dist each` a restart cannot send a test to one worker alone (every worker runs every
// test): a test runs again on every worker unless every worker finished it (a worker killed in
// it because the run died is not done with it) or it crashed of its own (a crash is never run
// again). Throws blackbox::Error when it cannot be written.
void write_skip_list(const postmortem::RunModel& run, const base::Directory& run_dir, int attempt) {
    struct Done {
        bool crashed = false;     // an entry crashed of its own
        bool unfinished = false;  // an entry has no outcome of its own
    };
    std::vector<std::unordered_map<std::string_view, Done>> done(run.sessions);
    std::vector<std::vector<std::string_view>> order(run.sessions);  // first entries' order
    for (const auto& test : run.tests) {
        const auto session = static_cast<std::size_t>(test.session);
        auto [found, added] = done[session].try_emplace(test.nodeid);
        if (added) {
            order[session].push_back(test.nodeid);
        }
        const bool each = run.each_sessions.count(test.session) != 0;
        const bool collateral = test.crash && run.crashes[*test.crash].collateral;
        if (test.outcome == "not_run" || (each && test.outcome == "crashed" && collateral)) {
            found->second.unfinished = true;
        } else if (test.outcome == "crashed") {
            found->second.crashed = true;
        }
    }
    std::vector<std::string> texts(run.sessions);
    for (std::size_t session = 0; session < run.sessions; ++session) {
        for (auto nodeid : order[session]) {
            const auto& state = done[session][nodeid];
            if (state.crashed || !state.unfinished) {
                texts[session] += nodeid;
                texts[session] += '\n';
            }
        }
    }
    auto folder = run_dir.subdirectory(rundir::kResumeFolder);
    for (std::size_t session = 0; session < texts.size(); ++session) {
        folder.write_atomically(rundir::resume_file_name(attempt, static_cast<int>(session)),
                                texts[session]);
    }
}

std::string describe_death(const postmortem::RunModel& run, int attempt) {
    for (const auto& crash : run.crashes) {
        if (crash.attempt == attempt && !crash.worker && !crash.forked) {
            auto death = fmt::format(
                "{} ({})", crash.cause,
                crash.signal ? base::signal_name(*crash.signal)
                             : fmt::format("exit code {}", crash.exit_code.value_or(0)));
            if (!crash.nodeid) {
                return death + " outside any test";  // an xdist controller runs none
            }
            return fmt::format("{} in the {} of {}", death, crash.phase, *crash.nodeid);
        }
    }
    return "an unknown cause";
}

}  // namespace

std::vector<rundir::WriteFailureRecord> write_failure_records(
    const std::vector<WriteFailure>& failures) {
    std::vector<rundir::WriteFailureRecord> records;
    for (const auto& failure : failures) {
        rundir::WriteFailureRecord record;
        record.file = failure.file;
        record.since_ns = failure.loss.since_ns;
        record.error = std::strerror(failure.loss.error);
        if (!failure.unit.empty()) {
            record.lost = static_cast<std::int64_t>(failure.loss.amount);
            record.unit = failure.unit;
        }
        records.push_back(std::move(record));
    }
    return records;
}

void add_write_failure(std::vector<WriteFailure>& failures, const std::string& file,
                       base::WriteLoss loss, const std::string& unit) {
    for (auto& known : failures) {
        if (known.file == file) {
            if (!unit.empty() && known.unit == unit) {
                known.loss.amount += loss.amount;
            }
            return;
        }
    }
    failures.push_back({file, loss, unit});
}

std::vector<rundir::AttemptRecord> attempt_records(const RecordingResult& result) {
    std::vector<rundir::AttemptRecord> records;
    for (const auto& attempt : result.attempts) {
        records.push_back(
            {attempt.attempt,
             attempt.pid,
             {attempt.status.code(), attempt.status.signal(), attempt.status.core_dumped()},
             attempt.forwarded_signal,
             attempt.started_ns,
             attempt.ended_ns,
             attempt.exited_ns});
    }
    return records;
}

void write_attempts(const base::Directory& run_dir, RecordingResult& result) {
    if (int error = rundir::write_attempts_file(run_dir, attempt_records(result)); error != 0) {
        add_write_failure(result.write_failures, rundir::kAttemptsFile,
                          base::WriteLoss{base::monotonic_ns(), error, 0});
    }
}

RecordingResult record(const RecordingOptions& options) {
    RecordingResult result;
    base::Directory opened;
    if (options.directory == nullptr) {
        opened = base::Directory::open(options.run_dir);
    }
    const base::Directory& run_dir = options.directory != nullptr ? *options.directory : opened;
    const bool on_terminal = options.allow_terminal && ::isatty(STDOUT_FILENO) != 0;
    for (int attempt = 1; attempt <= options.max_restarts + 1; ++attempt) {
        supervise::SessionOptions session;
        session.argv = options.command;
        session.allow_terminal = options.allow_terminal;
        WatchOptions watch = options.watch;
        watch.attempt = attempt;
        LiveRun live(watch, options.run_dir);
        session.environment = plugin::inject(
            plugin::current_environment(),
            {options.plugin_dir, options.run_dir, attempt, options.fsync, !on_terminal,
             live.capture_socket(), options.native_library, options.max_restarts});
        const std::string log_name = rundir::output_log_name(attempt);
        session.output_log = options.run_dir / log_name;
        session.output_log_max = options.output_log_max;
        if (attempt == 1 && watch.memory_max && options.say) {
            options.say("memory limit " + live.describe_limit());
        }
        session.pre_exec_writes = live.pre_exec_writes();
        session.tree_cgroup = live.tree_cgroup();
        session.death_note = live.death_note();
        AttemptResult current;
        current.attempt = attempt;
        current.started_ns = base::monotonic_ns();
        session.on_started = [&](pid_t pid) {
            live.started(pid);
            if (attempt == 1 && options.on_first_start) {
                options.on_first_start(pid);
            }
        };
        session.on_tick = [&live] { live.tick(); };
        if (options.status_line) {
            session.status = [&live](std::size_t columns) { return live.status(columns); };
        }
        auto outcome = supervise::run_session(session);
        live.finished(outcome);
        if (outcome.log_loss) {
            add_write_failure(result.write_failures, log_name, *outcome.log_loss, "bytes");
        } else if (outcome.log_errno) {
            add_write_failure(result.write_failures, log_name,
                              base::WriteLoss{current.started_ns, *outcome.log_errno, 0});
        }
        if (auto loss = live.trail_loss()) {
            add_write_failure(result.write_failures, rundir::kSamplesFile, *loss, "lines");
        }
        if (auto loss = live.verdict_loss()) {
            add_write_failure(result.write_failures, rundir::kSupervisorLogFile, *loss, "lines");
        }
        if (outcome.spawn_errno) {
            result.spawn_errno = outcome.spawn_errno;
            result.spawn_not_found = outcome.status.code() == 127;
            return result;
        }
        current.pid = outcome.pid;
        current.status = outcome.status;
        current.forwarded_signal = outcome.forwarded_signal;
        current.ended_ns = base::monotonic_ns();
        current.exited_ns = outcome.exited_ns;
        result.attempts.push_back(current);
        if (outcome.forwarded_signal) {
            result.forwarded_signal = outcome.forwarded_signal;
        }
        write_attempts(run_dir, result);
        if (auto said = plugin_not_loaded(options.run_dir, attempt)) {
            // Restarting would fail the same way.
            result.plugin_not_loaded = std::move(said);
            break;
        }
        if (attempt > options.max_restarts) {
            break;
        }
        // What we say next must not continue the command's last, unfinished line.
        const std::string line_start = outcome.output_last_byte == '\n' ? "" : "\n";
        postmortem::KnownEnd known{std::nullopt, attempt_records(result)};
        if (!result.write_failures.empty()) {
            known.end = rundir::EndRecord{};
            known.end->write_failures = write_failure_records(result.write_failures);
        }
        postmortem::RunModel run;
        try {
            run = postmortem::load_run(options.run_dir, &known);
        } catch (const Error& error) {
            if (options.say) {
                options.say(fmt::format("{}not restarting: {}", line_start, error.what()));
            }
            break;
        }
        auto verdict = after_attempt(run, current);
        if (!verdict.restart) {
            const bool died = current.status.signal() || current.status.code() != 0;
            if (options.say && died && !verdict.why.starts_with("pytest finished")) {
                options.say(fmt::format("{}not restarting: {}", line_start, verdict.why));
            }
            break;
        }
        try {
            write_skip_list(run, run_dir, attempt + 1);
        } catch (const Error& error) {
            // Without the list the next attempt would run every test again.
            if (options.say) {
                options.say(fmt::format("{}not restarting: {}", line_start, error.what()));
            }
            break;
        }
        // The next attempt writes the user's reports anew: this one's are kept first.
        for (const auto& problem : keep_attempt_reports(run, attempt, run_dir)) {
            if (options.say) {
                options.say(fmt::format("{}warning: {}", line_start, problem));
            }
        }
        if (options.say) {
            options.say(fmt::format(
                "{}attempt {} died: {}; restarting without the {} tests that ran ({} of {} "
                "restarts)",
                line_start, attempt, describe_death(run, attempt),
                run.counts.collected - run.counts.not_run, attempt, options.max_restarts));
        }
    }
    return result;
}

}  // namespace blackbox::record
