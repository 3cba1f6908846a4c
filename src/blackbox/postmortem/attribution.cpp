#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <blackbox/base/signal_name.hpp>
#include <blackbox/postmortem/attribution.hpp>
#include <blackbox/postmortem/death_cause.hpp>

namespace blackbox::postmortem {

namespace {

std::string describe_signal(int signal) {
    return fmt::format("signal {} ({})", signal, base::signal_name(signal));
}

std::string describe_in_flight(const journal::InFlight& last) {
    switch (last.activity) {
        case journal::InFlight::Activity::startup:
            return "the journal ends before collection finished";
        case journal::InFlight::Activity::collecting:
            return fmt::format("the journal ends while collecting {}", last.nodeid.value_or("?"));
        case journal::InFlight::Activity::between_tests:
            return "the journal ends between two tests";
        case journal::InFlight::Activity::in_test:
            return fmt::format("the journal ends in the {} of {}", last.phase,
                               last.nodeid.value_or("?"));
        case journal::InFlight::Activity::after_session:
            return "the journal ends after the session finished (death at interpreter exit)";
    }
    return {};
}

Crash in_flight_crash(const ProcessEvidence& evidence) {
    const auto& process = *evidence.process;
    Crash crash;
    crash.nodeid = process.last.nodeid;
    crash.phase = process.last.phase;
    if (process.last.activity == journal::InFlight::Activity::collecting) {
        crash.module = process.last.nodeid;
    }
    crash.fixture = process.last.fixture;
    switch (process.last.activity) {
        case journal::InFlight::Activity::startup:
            crash.stage = "startup";
            break;
        case journal::InFlight::Activity::between_tests:
            crash.stage = "between_tests";
            break;
        case journal::InFlight::Activity::after_session:
            crash.stage = "shutdown";
            break;
        case journal::InFlight::Activity::collecting:
        case journal::InFlight::Activity::in_test:
            break;
    }
    if (process.files.is_worker()) {
        crash.worker = process.files.role;
    }
    crash.attempt = process.files.attempt;
    crash.pid = process.files.pid;
    crash.session = process.files.session;
    crash.since_ns = process.last.since_ns;
    if (evidence.dump) {
        crash.traceback = evidence.dump->text;
        crash.frames = evidence.dump->frames;
    }
    return crash;
}

// Fills signal, cause and evidence from a signal or an exit code, adding what faulthandler says.
void set_death(Crash& crash, std::optional<int> signal, std::optional<int> code,
               std::vector<std::string> evidence, const ProcessEvidence& process) {
    const auto& dump = process.dump;
    if (!signal && dump && dump->fatal && dump->signal) {
        signal = dump->signal;
    }
    if (dump && dump->fatal) {
        evidence.push_back(fmt::format("faulthandler: Fatal Python error: {}", dump->error));
    }
    evidence.push_back(describe_in_flight(process.process->last));
    crash.signal = signal;
    crash.exit_code = signal ? std::nullopt : code;
    if (signal) {
        crash.cause = cause_for_signal(*signal);
    } else if (code) {
        crash.cause = "exit";
    } else {
        crash.cause = "unknown";
    }
    crash.evidence = fmt::format("{}", fmt::join(evidence, "; "));
}

const AttemptEnd* find_end(const EndFacts& end, const journal::ProcessReplay& process) {
    for (const auto& attempt : end.attempt_ends) {
        if (attempt.attempt == process.files.attempt &&
            (attempt.pid == 0 || attempt.pid == process.files.pid)) {
            return &attempt;
        }
    }
    return nullptr;
}

std::optional<Crash> main_crash(const ProcessEvidence& evidence, const EndFacts& end,
                                bool last_attempt) {
    const auto& process = *evidence.process;
    const AttemptEnd* attempt = find_end(end, process);
    if (attempt != nullptr) {
        if (end.forwarded_signal && last_attempt) {
            return std::nullopt;  // stopped on request: interrupted, not crashed
        }
        const auto& wait = attempt->wait;
        if (wait.signal) {
            Crash crash = in_flight_crash(evidence);
            set_death(crash, wait.signal, std::nullopt,
                      {fmt::format("the supervisor saw pytest killed by {}{}",
                                   describe_signal(*wait.signal),
                                   wait.core_dumped ? " (core dumped)" : "")},
                      evidence);
            return crash;
        }
        if (!process.cut_short()) {
            return std::nullopt;
        }
        Crash crash = in_flight_crash(evidence);
        set_death(crash, std::nullopt, wait.code.value_or(0),
                  {fmt::format("the supervisor saw pytest exit with code {} before it finished "
                               "its session",
                               wait.code.value_or(0))},
                  evidence);
        return crash;
    }
    if (!process.cut_short()) {
        return std::nullopt;
    }
    Crash crash = in_flight_crash(evidence);
    if (end.supervisor_lost && end.supervisor_lost->attempt == process.files.attempt) {
        // The kernel killed pytest when its supervisor died (its parent-death signal), or the
        // supervisor's dead man's switch did: a casualty, whatever the test was doing.
        set_death(crash, std::nullopt, std::nullopt,
                  {"the supervisor died (killed?) while pytest ran, and pytest was killed with "
                   "it (its parent-death signal and the supervisor's dead man's switch)"},
                  evidence);
        crash.cause = "killed";
        crash.collateral = true;
        return crash;
    }
    set_death(crash, std::nullopt, std::nullopt,
              {"no exit status was recorded (the supervisor did not see the end)"}, evidence);
    return crash;
}

const journal::ProcessReplay* controller_of(const std::vector<ProcessEvidence>& processes,
                                            int attempt) {
    for (const auto& evidence : processes) {
        const auto* process = evidence.process;
        if (!process->files.is_worker() && process->files.attempt == attempt) {
            return process;
        }
    }
    return nullptr;
}

std::optional<Crash> worker_crash(const ProcessEvidence& evidence,
                                  const std::vector<ProcessEvidence>& processes,
                                  const EndFacts& end, bool main_died, bool last_attempt) {
    const auto& process = *evidence.process;
    if (!process.cut_short()) {
        return std::nullopt;
    }
    const journal::ProcessReplay* controller = controller_of(processes, process.files.attempt);
    std::vector<std::string> facts;
    std::optional<int> signal, code;
    bool reported = false;
    if (controller != nullptr) {
        for (const auto& crashed : controller->worker_crashes) {
            if (crashed.worker == process.files.role) {
                facts.push_back(fmt::format("xdist: worker '{}' crashed while running '{}'",
                                            crashed.worker, crashed.nodeid));
                reported = true;
            }
        }
        for (const auto& down : controller->workers_down) {
            if (down.worker != process.files.role) {
                continue;
            }
            reported = true;
            if (down.signal) {
                signal = down.signal;
                facts.push_back(fmt::format("the xdist controller saw worker {} killed by {}",
                                            down.worker, describe_signal(*down.signal)));
            } else if (down.code) {
                code = down.code;
                facts.push_back(fmt::format("the xdist controller saw worker {} exit with code {}",
                                            down.worker, *down.code));
            } else if (down.error) {
                facts.push_back(fmt::format("xdist: worker {} went down", down.worker));
            }
        }
    }
    bool fatal = evidence.dump && evidence.dump->fatal;
    if (!reported && !fatal) {
        bool interrupted = end.forwarded_signal.has_value() && last_attempt;
        if (interrupted) {
            return std::nullopt;
        }
        if (main_died) {
            Crash crash = in_flight_crash(evidence);
            crash.collateral = true;
            set_death(crash, std::nullopt, std::nullopt,
                      {"still running when the main pytest process died"}, evidence);
            crash.cause = "killed";
            return crash;
        }
    }
    Crash crash = in_flight_crash(evidence);
    set_death(crash, signal, code, std::move(facts), evidence);
    return crash;
}

// Several workers importing the same crashing module die the same way: report it once.
bool merge_into_existing(std::vector<Crash>& crashes, const Crash& crash) {
    if (crash.phase != "collect") {
        return false;
    }
    for (auto& existing : crashes) {
        if (existing.phase == "collect" && existing.module == crash.module &&
            existing.attempt == crash.attempt && existing.cause == crash.cause) {
            existing.evidence +=
                fmt::format("; worker {} died the same way", crash.worker.value_or("main"));
            return true;
        }
    }
    return false;
}

// A watchdog's verdict about this crash's process outranks what the signal alone says: a
// SIGKILL is "killed" until a verdict says who killed it and why.
void apply_verdicts(Crash& crash, const std::vector<Verdict>& verdicts) {
    for (const auto& verdict : verdicts) {
        if (verdict.attempt != crash.attempt || (verdict.pid != 0 && verdict.pid != crash.pid)) {
            continue;
        }
        crash.cause = verdict.ev;
        crash.evidence = verdict.evidence + "; " + crash.evidence;
        crash.collateral = false;
        return;
    }
}

}  // namespace

std::vector<Crash> attribute_crashes(const std::vector<ProcessEvidence>& processes,
                                     const EndFacts& end) {
    int last_attempt = 0;
    for (const auto& evidence : processes) {
        last_attempt = std::max(last_attempt, evidence.process->files.attempt);
    }
    const auto running = [&end](const ProcessEvidence& evidence) {
        const auto& files = evidence.process->files;
        return std::find(end.running.begin(), end.running.end(),
                         std::pair<int, long>{files.attempt, files.pid}) != end.running.end();
    };
    std::vector<Crash> crashes;
    std::vector<int> attempts_whose_main_died;
    for (const auto& evidence : processes) {
        if (evidence.process->files.is_worker() || running(evidence)) {
            continue;
        }
        auto crash = main_crash(evidence, end, evidence.process->files.attempt == last_attempt);
        if (crash) {
            apply_verdicts(*crash, end.verdicts);
            attempts_whose_main_died.push_back(crash->attempt);
            crashes.push_back(std::move(*crash));
        }
    }
    for (const auto& evidence : processes) {
        if (!evidence.process->files.is_worker() || running(evidence)) {
            continue;
        }
        int attempt = evidence.process->files.attempt;
        bool main_died = std::find(attempts_whose_main_died.begin(), attempts_whose_main_died.end(),
                                   attempt) != attempts_whose_main_died.end();
        auto crash = worker_crash(evidence, processes, end, main_died, attempt == last_attempt);
        if (crash) {
            apply_verdicts(*crash, end.verdicts);
        }
        if (crash && !merge_into_existing(crashes, *crash)) {
            crashes.push_back(std::move(*crash));
        }
    }
    return crashes;
}

}  // namespace blackbox::postmortem
