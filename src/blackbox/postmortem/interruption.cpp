#include <algorithm>

#include <fmt/format.h>

#include <blackbox/base/signal_name.hpp>
#include <blackbox/postmortem/interruption.hpp>

namespace blackbox::postmortem {

namespace {

const AttemptEnd* attempt_end(const RunModel& run, int attempt) {
    for (const auto& end : run.attempt_ends) {
        if (end.attempt == attempt) {
            return &end;
        }
    }
    return nullptr;
}

bool crashed(const RunModel& run, const journal::ProcessReplay& replay) {
    return std::any_of(run.crashes.begin(), run.crashes.end(), [&](const Crash& crash) {
        return crash.attempt == replay.files.attempt && crash.pid == replay.files.pid;
    });
}

Interruption at(const journal::ProcessReplay& replay, const journal::InFlight& where) {
    Interruption interruption;
    interruption.nodeid = where.nodeid.value_or("");
    interruption.phase = where.phase;
    if (replay.files.is_worker()) {
        interruption.worker = replay.files.role;
    }
    interruption.attempt = replay.files.attempt;
    interruption.pid = replay.files.pid;
    interruption.session = replay.files.session;
    interruption.since_ns = where.since_ns;
    return interruption;
}

}  // namespace

std::vector<Interruption> find_interruptions(const std::vector<journal::ProcessReplay>& replays,
                                             const RunModel& run) {
    std::vector<Interruption> found;
    for (const auto& replay : replays) {
        if (crashed(run, replay)) {
            continue;
        }
        const AttemptEnd* end = attempt_end(run, replay.files.attempt);
        const std::optional<int> forwarded = end != nullptr ? end->forwarded_signal : std::nullopt;
        if (replay.interrupt && replay.interrupted_test && replay.interrupted_test->nodeid) {
            // pytest caught it (Ctrl-C: a KeyboardInterrupt; pytest.exit) and ended its session.
            auto interruption = at(replay, *replay.interrupted_test);
            interruption.signal = forwarded;
            interruption.reason = *replay.interrupt;
            interruption.at_ns = replay.interrupt_ns;
            found.push_back(std::move(interruption));
        } else if (forwarded && replay.cut_short() &&
                   replay.last.activity == journal::InFlight::Activity::in_test &&
                   replay.last.nodeid) {
            // The signal ended the process where it was (SIGTERM's default action).
            auto interruption = at(replay, replay.last);
            interruption.signal = forwarded;
            interruption.reason = "stopped by " + base::signal_name(*forwarded);
            interruption.at_ns = end->ended_ns;
            found.push_back(std::move(interruption));
        }
    }
    return found;
}

std::string describe_interruption(const Interruption& interruption) {
    std::string text = interruption.reason;
    if (interruption.signal &&
        text.find(base::signal_name(*interruption.signal)) == std::string::npos) {
        text += fmt::format(" ({})", base::signal_name(*interruption.signal));
    }
    text += fmt::format(" in the {}", interruption.phase);
    if (interruption.since_ns > 0 && interruption.at_ns > interruption.since_ns) {
        text += fmt::format(", {:.1f} s in",
                            static_cast<double>(interruption.at_ns - interruption.since_ns) / 1e9);
    }
    if (interruption.worker) {
        text += fmt::format(", worker {}", *interruption.worker);
    }
    return text;
}

}  // namespace blackbox::postmortem
