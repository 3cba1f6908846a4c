#include <string>
#include <unordered_map>

#include <blackbox/base/signal_name.hpp>
#include <blackbox/repair/crash_sources.hpp>
#include <blackbox/repair/text_trim.hpp>
#include <blackbox/report/native_view.hpp>

namespace blackbox::repair {

namespace {

template <typename T>
void fill(std::optional<T>& into, const std::optional<T>& from) {
    if (!into && from) {
        into = from;
    }
}

void fill_missing(CrashEntry& into, const CrashEntry& from) {
    fill(into.phase, from.phase);
    fill(into.cause, from.cause);
    fill(into.signal, from.signal);
    fill(into.evidence, from.evidence);
    fill(into.reason, from.reason);
    fill(into.traceback, from.traceback);
    fill(into.duration_s, from.duration_s);
    fill(into.crash_time, from.crash_time);
    fill(into.gpu_id, from.gpu_id);
    fill(into.worker, from.worker);
    fill(into.test_class, from.test_class);
    fill(into.pid, from.pid);
}

}  // namespace

std::vector<CrashEntry> crashes_of_run(const postmortem::RunModel& run) {
    std::vector<CrashEntry> entries;
    for (const auto& crash : run.crashes) {
        auto target = crash.nodeid ? crash.nodeid : crash.module;
        if (!target || trimmed(*target).empty()) {
            continue;
        }
        CrashEntry entry;
        entry.nodeid = std::string(trimmed(*target));
        entry.phase = crash.phase.empty() ? std::nullopt : std::optional<std::string>(crash.phase);
        if (!crash.cause.empty() && crash.cause != "unknown") {
            entry.cause = crash.cause;
        }
        if (crash.signal) {
            entry.signal = base::signal_name(*crash.signal);
        } else if (crash.exit_code) {
            entry.reason = "exited with status " + std::to_string(*crash.exit_code);
        }
        entry.evidence =
            crash.evidence.empty() ? std::nullopt : std::optional<std::string>(crash.evidence);
        entry.traceback = crash.traceback;
        if (crash.native) {
            // The native stack under the Python one, as the JUnit report shows it.
            auto native = report::native_text(crash);
            entry.traceback = entry.traceback ? *entry.traceback + "\n" + native : native;
        }
        entry.worker = crash.worker;
        if (crash.pid > 0) {
            entry.pid = crash.pid;
        }
        entry.collateral = crash.collateral;
        // The phases the test finished before the crash (the crashed one has no report): a lower
        // bound of how long it ran.
        for (const auto& test : run.tests) {
            if (test.nodeid == entry.nodeid && test.crash) {
                entry.duration_s = test.duration_s();
                break;
            }
        }
        entries.push_back(std::move(entry));
    }
    return entries;
}

std::vector<CrashEntry> merge_crashes(const std::vector<CrashEntry>& first,
                                      const std::vector<CrashEntry>& second) {
    std::vector<CrashEntry> merged;
    std::unordered_map<std::string, std::size_t> index;
    for (const auto* list : {&first, &second}) {
        for (const auto& entry : *list) {
            auto [it, inserted] = index.emplace(entry.nodeid, merged.size());
            if (inserted) {
                merged.push_back(entry);
            } else {
                fill_missing(merged[it->second], entry);
            }
        }
    }
    return merged;
}

}  // namespace blackbox::repair
