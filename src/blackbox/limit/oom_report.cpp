#include <algorithm>

#include <blackbox/limit/control_file.hpp>
#include <blackbox/limit/oom_report.hpp>

namespace blackbox::limit {

namespace {

constexpr std::string_view kKilledProcess = "Killed process ";
constexpr std::string_view kOomKillLine = "oom-kill:";
constexpr std::string_view kLowMemoryKiller = "lowmemorykiller: Killing '";

std::optional<pid_t> parse_pid(std::string_view text) {
    auto value = parse_control_number(text);
    if (!value || *value == 0 || *value > 0x7fffffff) {
        return std::nullopt;
    }
    return static_cast<pid_t>(*value);
}

// "Killed process 4084 (python3) total-vm:…", possibly after a "<reason>: " prefix.
std::optional<OomKill> parse_killed_process(std::string_view message) {
    auto at = message.find(kKilledProcess);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view prefix = message.substr(0, at);
    std::string_view rest = message.substr(at + kKilledProcess.size());
    auto space = rest.find(' ');
    auto pid = parse_pid(rest.substr(0, space));
    if (!pid) {
        return std::nullopt;
    }
    OomKill kill;
    kill.pid = *pid;
    kill.cgroup = prefix.find("Memory cgroup") != std::string_view::npos;
    kill.message = std::string(message);
    if (space != std::string_view::npos && rest.substr(space + 1, 1) == "(") {
        // The name may hold blanks and parentheses: it ends at the ')' before " total-vm"
        // (4.x-6.x), else at the last ')'.
        std::string_view tail = rest.substr(space + 2);
        auto close = tail.find(") total-vm");
        if (close == std::string_view::npos) {
            close = tail.rfind(')');
        }
        if (close != std::string_view::npos) {
            kill.comm = std::string(tail.substr(0, close));
        }
    }
    return kill;
}

// "oom-kill:constraint=CONSTRAINT_MEMCG,…,task=python3,pid=4084,uid=0". task= may hold commas,
// so pid= is the last one.
std::optional<OomKill> parse_oom_kill_line(std::string_view message) {
    if (message.substr(0, kOomKillLine.size()) != kOomKillLine) {
        return std::nullopt;
    }
    auto pid_at = message.rfind(",pid=");
    if (pid_at == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view after = message.substr(pid_at + 5);
    auto pid = parse_pid(after.substr(0, after.find(',')));
    if (!pid) {
        return std::nullopt;
    }
    OomKill kill;
    kill.pid = *pid;
    kill.cgroup = message.find("constraint=CONSTRAINT_MEMCG") != std::string_view::npos;
    kill.message = std::string(message);
    auto task_at = message.rfind(",task=", pid_at);
    if (task_at != std::string_view::npos) {
        kill.comm = std::string(message.substr(task_at + 6, pid_at - task_at - 6));
    }
    return kill;
}

// "lowmemorykiller: Killing 'com.termux' (4084), adj 900,"
std::optional<OomKill> parse_low_memory_killer(std::string_view message) {
    auto at = message.find(kLowMemoryKiller);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view rest = message.substr(at + kLowMemoryKiller.size());
    // The first "' (": the message goes on about the process on whose behalf it killed.
    auto quote = rest.find("' (");
    if (quote == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view number = rest.substr(quote + 3);
    auto pid = parse_pid(number.substr(0, number.find(')')));
    if (!pid) {
        return std::nullopt;
    }
    return OomKill{*pid, std::string(rest.substr(0, quote)), false, std::string(message)};
}

}  // namespace

std::optional<OomKill> parse_oom_kill(std::string_view message) {
    if (auto kill = parse_oom_kill_line(message)) {
        return kill;
    }
    if (auto kill = parse_killed_process(message)) {
        return kill;
    }
    return parse_low_memory_killer(message);
}

std::vector<OomKill> oom_kills_in(const std::vector<KernelRecord>& records) {
    std::vector<OomKill> kills;
    for (const auto& record : records) {
        if (record.facility != 0) {
            continue;
        }
        auto kill = parse_oom_kill(record.message);
        if (!kill) {
            continue;
        }
        auto known = std::find_if(kills.begin(), kills.end(),
                                  [&](const OomKill& k) { return k.pid == kill->pid; });
        if (known == kills.end()) {
            kills.push_back(std::move(*kill));
            continue;
        }
        known->cgroup = known->cgroup || kill->cgroup;
        if (known->comm.empty()) {
            known->comm = kill->comm;
        }
        // The "Killed process" line reads better as evidence than the oom-kill: summary.
        if (known->message.rfind(kOomKillLine, 0) == 0 &&
            kill->message.rfind(kOomKillLine, 0) != 0) {
            known->message = std::move(kill->message);
        }
    }
    return kills;
}

}  // namespace blackbox::limit
