#include <fmt/format.h>

#include <blackbox/live/hang_watchdog.hpp>

namespace blackbox::live {

namespace {

// How long a process gets to write its stack before it is killed regardless.
constexpr std::chrono::milliseconds kDumpDeadline{2000};

}  // namespace

void HangWatchdog::check(const RunWatch& watch, std::int64_t now_ns) {
    for (const auto& process : watch.processes()) {
        const auto& last = process.last;
        if (process.finished || last.activity != journal::InFlight::Activity::in_test ||
            last.since_ns == 0 || now_ns - last.since_ns < timeout_ns_) {
            continue;
        }
        if (!handled_.emplace(process.files.pid, last.since_ns).second) {
            continue;
        }
        double after_s = static_cast<double>(now_ns - last.since_ns) / 1e9;
        auto reason = fmt::format("hang: the {} of {} has run for {:.1f} s", last.phase,
                                  last.nodeid.value_or("?"), after_s);
        // The plugin stops the process itself after a "hang" dump (see faults.py).
        bool dumped = request_stack_dump(process, reason);
        log_.write("hang",
                   {{"pid", process.files.pid},
                    {"attempt", process.files.attempt},
                    {"worker", process.files.is_worker() ? nlohmann::json(process.files.role)
                                                         : nlohmann::json(nullptr)},
                    {"nodeid", last.nodeid ? nlohmann::json(*last.nodeid) : nullptr},
                    {"phase", last.phase},
                    {"after_s", after_s},
                    {"dumped", dumped}});
        kills_.add(process, dumped ? kDumpDeadline : std::chrono::milliseconds(0));
    }
    kills_.kill_due();
}

}  // namespace blackbox::live
