#include <fmt/format.h>

#include <blackbox/journal/reader.hpp>
#include <blackbox/live/supervisor_log_reader.hpp>
#include <blackbox/rundir/run_files.hpp>

namespace blackbox::live {

namespace {

LeftoverProcess left_process(const nlohmann::json& entry, int attempt) {
    LeftoverProcess left;
    left.attempt = attempt;
    if (auto pid = entry.find("pid"); pid != entry.end() && pid->is_number_integer()) {
        left.pid = pid->get<int>();
    }
    if (auto command = entry.find("command"); command != entry.end() && command->is_string()) {
        left.command = command->get<std::string>();
    }
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

}  // namespace

SupervisorLogFacts read_supervisor_log(const std::filesystem::path& run_dir) {
    SupervisorLogFacts facts;
    journal::for_each_record(
        run_dir / rundir::kSupervisorLogFile, [&](const journal::Record& record) {
            auto ev = record.ev();
            if (ev == "limit") {
                if (auto bytes = record.integer("bytes")) {
                    facts.memory_limit = *bytes;
                }
                return;
            }
            const int attempt = static_cast<int>(record.integer("attempt").value_or(1));
            if (ev == "supervisor") {
                facts.supervisor = record.to_json();
                return;
            }
            if (ev == "supervisor_lost") {
                facts.supervisor_lost =
                    SupervisorDeath{attempt, static_cast<long>(record.integer("pid").value_or(0)),
                                    record.integer("ns").value_or(0),
                                    record.boolean("group_killed").value_or(false),
                                    record.integer("cgroup_killed").value_or(0)};
                return;
            }
            if (ev == "leftovers") {
                auto processes = record.json("processes");
                if (processes.is_array()) {
                    for (const auto& entry : processes) {
                        if (entry.is_object()) {
                            facts.left_running.push_back(left_process(entry, attempt));
                        }
                    }
                }
                return;
            }
            WatchdogVerdict verdict;
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
            facts.verdicts.push_back(std::move(verdict));
        });
    return facts;
}

}  // namespace blackbox::live
