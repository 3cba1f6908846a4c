#include <algorithm>

#include <blackbox/postmortem/death_time.hpp>

namespace blackbox::postmortem {

namespace {

const journal::ProcessReplay* replay_of(const std::vector<journal::ProcessReplay>& replays,
                                        const Crash& crash) {
    for (const auto& replay : replays) {
        if (replay.files.attempt == crash.attempt && replay.files.pid == crash.pid) {
            return &replay;
        }
    }
    return nullptr;
}

// The controller's record of the worker's death, in the same attempt.
std::optional<std::int64_t> controller_saw(const std::vector<journal::ProcessReplay>& replays,
                                           const Crash& crash) {
    std::optional<std::int64_t> seen;
    for (const auto& replay : replays) {
        if (replay.files.is_worker() || replay.files.attempt != crash.attempt) {
            continue;
        }
        for (const auto& down : replay.workers_down) {
            if (down.worker == crash.worker && down.ns != 0) {
                seen = seen ? std::min(*seen, down.ns) : down.ns;
            }
        }
        for (const auto& crashed : replay.worker_crashes) {
            if (crashed.worker == crash.worker && crashed.ns != 0) {
                seen = seen ? std::min(*seen, crashed.ns) : crashed.ns;
            }
        }
    }
    return seen;
}

std::optional<std::int64_t> supervisor_waited(const RunModel& run, const Crash& crash) {
    for (const auto& end : run.attempt_ends) {
        if (end.attempt == crash.attempt && (end.pid == 0 || end.pid == crash.pid) &&
            end.exited_ns != 0) {
            return end.exited_ns;
        }
    }
    return std::nullopt;
}

std::optional<std::int64_t> death_of(const RunModel& run,
                                     const std::vector<journal::ProcessReplay>& replays,
                                     const Crash& crash) {
    std::optional<std::int64_t> last_sample;
    if (crash.memory_at) {
        last_sample = crash.memory_at->ns;
    }
    if (crash.worker) {
        if (auto seen = controller_saw(replays, crash)) {
            return seen;
        }
        // The main process's wait says nothing of a worker: it may have died long before.
        if (last_sample) {
            return last_sample;
        }
        if (auto waited = supervisor_waited(run, crash)) {
            return waited;
        }
        return run.ended_ns;
    }
    if (auto waited = supervisor_waited(run, crash)) {
        return waited;
    }
    if (last_sample) {
        return last_sample;
    }
    return run.ended_ns;
}

}  // namespace

void date_deaths(RunModel& run, const std::vector<journal::ProcessReplay>& replays) {
    for (auto& crash : run.crashes) {
        if (crash.forked) {
            continue;  // dated by the report of its death (died_ns is set)
        }
        auto died = death_of(run, replays, crash);
        if (!died) {
            continue;
        }
        std::int64_t floor = crash.since_ns;
        if (const auto* replay = replay_of(replays, crash)) {
            floor = std::max(floor, replay->last_ns);
        }
        crash.died_ns = std::max(*died, floor);
    }
}

void cut_crashed_tests(RunModel& run) {
    for (auto& test : run.tests) {
        if (!test.crash) {
            continue;
        }
        const auto& crash = run.crashes[*test.crash];
        if (!crash.died_ns || crash.since_ns == 0) {
            continue;
        }
        CutPhase cut;
        if (crash.phase == "setup") {
            cut.phase = CutPhase::Phase::setup;
        } else if (crash.phase == "call") {
            cut.phase = CutPhase::Phase::call;
        } else if (crash.phase == "teardown") {
            cut.phase = CutPhase::Phase::teardown;
        } else {
            continue;
        }
        cut.duration_s = static_cast<double>(*crash.died_ns - crash.since_ns) / 1e9;
        test.cut = cut;
    }
}

}  // namespace blackbox::postmortem
