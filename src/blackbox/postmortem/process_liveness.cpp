#include <blackbox/base/file_io.hpp>
#include <blackbox/postmortem/process_liveness.hpp>
#include <blackbox/sample/proc_stat.hpp>
#include <blackbox/sample/process_identity.hpp>

namespace blackbox::postmortem {

ProcessIdentity identity_of(const nlohmann::json& record) {
    ProcessIdentity identity;
    if (!record.is_object()) {
        return identity;
    }
    if (auto pid = record.find("pid"); pid != record.end() && pid->is_number_integer()) {
        identity.pid = pid->get<long>();
    }
    if (auto boot = record.find("boot_id"); boot != record.end() && boot->is_string()) {
        identity.boot_id = boot->get<std::string>();
    }
    if (auto start = record.find("starttime");
        start != record.end() && start->is_number_integer() && start->get<std::int64_t>() >= 0) {
        identity.starttime = start->get<std::uint64_t>();
    }
    return identity;
}

std::optional<std::string> ProcessTable::stat(long pid) const {
    return base::read_file("/proc/" + std::to_string(pid) + "/stat");
}

std::optional<std::string> ProcessTable::boot_id() const {
    return sample::boot_id();
}

bool still_running(const ProcessIdentity& identity, const ProcessTable& table) {
    if (identity.pid <= 0 || !identity.starttime) {
        return false;
    }
    auto text = table.stat(identity.pid);
    auto stat = text ? sample::parse_proc_stat(*text) : std::nullopt;
    if (!stat || stat->pid != identity.pid || stat->state == 'Z' || stat->state == 'X') {
        return false;
    }
    if (identity.boot_id) {
        auto boot = table.boot_id();
        if (boot && *boot != *identity.boot_id) {
            return false;  // recorded on another boot or another machine
        }
    }
    return stat->starttime == *identity.starttime;
}

std::vector<RunningProcess> running_processes(const std::vector<journal::ProcessReplay>& replays,
                                              const std::optional<ProcessIdentity>& supervisor,
                                              bool ended, const ProcessTable& table) {
    std::vector<RunningProcess> running;
    if (supervisor && !ended && still_running(*supervisor, table)) {
        running.push_back({"supervisor", supervisor->pid, 0, std::nullopt, "", 0});
    }
    for (const auto& replay : replays) {
        if (replay.exited) {
            continue;
        }
        ProcessIdentity identity = identity_of(replay.start);
        if (identity.pid != replay.files.pid) {
            continue;  // a start record that does not speak for this file
        }
        if (still_running(identity, table)) {
            running.push_back({replay.files.role, replay.files.pid, replay.files.attempt,
                               replay.last.nodeid, replay.last.phase, replay.last.since_ns});
        }
    }
    return running;
}

}  // namespace blackbox::postmortem
