#include <algorithm>
#include <filesystem>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <blackbox/base/file_io.hpp>
#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/children.hpp>
#include <blackbox/sample/proc_stat.hpp>
#include <blackbox/supervise/command_tree.hpp>

namespace blackbox::supervise {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kCommandBytes = 200;

std::string proc_path(pid_t pid, const char* leaf) {
    return "/proc/" + std::to_string(pid) + leaf;
}

std::optional<pid_t> pid_of(std::string_view name) {
    auto value = base::parse_u64(name);
    if (!value || *value == 0 || *value > 0x7fffffff) {
        return std::nullopt;
    }
    return static_cast<pid_t>(*value);
}

std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> names;
    std::error_code error;
    for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
        names.push_back(it->path().filename().string());
    }
    return names;
}

// The children of every thread of `pid`; nullopt when its threads have no children files.
std::optional<std::vector<pid_t>> children_from_files(pid_t pid) {
    std::vector<pid_t> children;
    bool any_file = false;
    const std::string task = proc_path(pid, "/task/");
    for (const auto& tid : entries(task)) {
        if (!pid_of(tid)) {
            continue;
        }
        if (auto text = base::read_file(task + tid + "/children")) {
            any_file = true;
            sample::parse_children(*text, children);
        }
    }
    if (!any_file && fs::exists(task)) {
        return std::nullopt;
    }
    return children;
}

// Every process's parent, from a scan of /proc (the fallback).
std::unordered_multimap<pid_t, pid_t> children_by_parent() {
    std::unordered_multimap<pid_t, pid_t> map;
    for (const auto& name : entries("/proc")) {
        auto pid = pid_of(name);
        if (!pid) {
            continue;
        }
        if (auto text = base::read_file(proc_path(*pid, "/stat"))) {
            if (auto stat = sample::parse_proc_stat(*text)) {
                map.emplace(stat->ppid, stat->pid);
            }
        }
    }
    return map;
}

std::string command_line(pid_t pid, const std::string& comm) {
    std::string words = base::read_file(proc_path(pid, "/cmdline")).value_or("");
    while (!words.empty() && words.back() == '\0') {
        words.pop_back();
    }
    std::replace(words.begin(), words.end(), '\0', ' ');
    if (words.empty()) {
        words = comm;
    }
    if (words.size() > kCommandBytes) {
        words.resize(kCommandBytes);
    }
    return words;
}

std::optional<sample::ProcStat> stat_of(pid_t pid) {
    auto text = base::read_file(proc_path(pid, "/stat"));
    return text ? sample::parse_proc_stat(*text) : std::nullopt;
}

// Whether the process is on its way out: exiting, or a SIGKILL it has not acted on yet (a kill
// by a watchdog a moment ago). /proc/<pid>/status shows the pending signals as hex masks.
bool dying(pid_t pid, const sample::ProcStat& stat) {
    constexpr std::uint64_t kExiting = 0x4;  // PF_EXITING
    if ((stat.flags & kExiting) != 0) {
        return true;
    }
    const std::uint64_t sigkill = 1ULL << (9 - 1);
    auto text = base::read_file(proc_path(pid, "/status")).value_or("");
    for (std::string_view key : {"SigPnd:", "ShdPnd:"}) {
        auto at = text.find(key);
        if (at == std::string::npos) {
            continue;
        }
        auto rest = base::trim(std::string_view(text).substr(at + key.size()));
        rest = rest.substr(0, rest.find('\n'));
        std::uint64_t mask = 0;
        for (char c : rest) {
            const int digit = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                     : -1;
            if (digit < 0) {
                break;
            }
            mask = mask << 4 | static_cast<std::uint64_t>(digit);
        }
        if ((mask & sigkill) != 0) {
            return true;
        }
    }
    return false;
}

std::optional<TreeProcess> look_at(pid_t pid) {
    auto stat = stat_of(pid);
    if (!stat) {
        return std::nullopt;
    }
    const bool exited = stat->state == 'Z' || stat->state == 'X';
    return TreeProcess{pid,
                       stat->ppid,
                       stat->pgrp,
                       stat->session,
                       stat->state,
                       !exited && dying(pid, *stat),
                       stat->starttime,
                       command_line(pid, stat->comm)};
}

}  // namespace

std::vector<TreeProcess> find_tree(const TreeScope& scope) {
    std::unordered_set<pid_t> seen{scope.subreaper};
    seen.insert(scope.excluded.begin(), scope.excluded.end());
    std::vector<pid_t> queue;
    const auto enqueue = [&](pid_t pid) {
        if (pid > 0 && seen.insert(pid).second) {
            queue.push_back(pid);
        }
    };
    std::optional<std::unordered_multimap<pid_t, pid_t>> scanned;
    const auto children_or_scan = [&](pid_t pid) {
        if (!scanned) {
            if (auto children = children_from_files(pid)) {
                return *children;
            }
            scanned = children_by_parent();
        }
        std::vector<pid_t> children;
        auto [first, last] = scanned->equal_range(pid);
        for (auto it = first; it != last; ++it) {
            children.push_back(it->second);
        }
        return children;
    };

    enqueue(scope.command);
    if (scope.subreaper > 0) {
        for (pid_t child : children_or_scan(scope.subreaper)) {
            enqueue(child);
        }
    }
    if (!scope.cgroup.empty()) {
        std::vector<pid_t> members;
        sample::parse_children(
            base::read_file(fs::path(scope.cgroup) / "cgroup.procs").value_or(""), members);
        for (pid_t member : members) {
            enqueue(member);
        }
    }
    std::vector<TreeProcess> tree;
    for (std::size_t next = 0; next < queue.size(); ++next) {
        auto process = look_at(queue[next]);
        if (!process) {
            continue;  // gone (or never there: the command already reaped)
        }
        for (pid_t child : children_or_scan(process->pid)) {
            enqueue(child);
        }
        tree.push_back(std::move(*process));
    }
    return tree;
}

std::vector<pid_t> children_of(pid_t pid) {
    if (auto children = children_from_files(pid)) {
        return *children;
    }
    auto scanned = children_by_parent();
    std::vector<pid_t> children;
    auto [first, last] = scanned.equal_range(pid);
    for (auto it = first; it != last; ++it) {
        children.push_back(it->second);
    }
    return children;
}

bool still_running(const TreeProcess& process) {
    auto now = stat_of(process.pid);
    return now && now->starttime == process.starttime && now->state != 'Z' && now->state != 'X' &&
           !dying(process.pid, *now);
}

}  // namespace blackbox::supervise
