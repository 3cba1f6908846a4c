#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <unistd.h>

#include <blackbox/base/error.hpp>
#include <blackbox/limit/control_file.hpp>
#include <blackbox/limit/owned_cgroup.hpp>

namespace blackbox::limit {

namespace {

constexpr std::string_view kPrefix = "blackbox-";
// Group numbers are unique within this process, so successive limits (restarts of the
// command) never meet a group that is still being removed.
std::atomic<unsigned> next_number{0};
constexpr long kPollStepNs = 5'000'000;

std::optional<unsigned long> decimal(std::string_view text) {
    if (text.empty() || text.size() > 10) {
        return std::nullopt;
    }
    unsigned long value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    return value;
}

bool process_alive(pid_t pid) {
    return ::kill(pid, 0) == 0 || errno == EPERM;
}

std::vector<pid_t> parse_pids(std::string_view text) {
    std::vector<pid_t> pids;
    while (!text.empty()) {
        auto end = text.find('\n');
        if (auto pid = decimal(text.substr(0, end)); pid && *pid > 0 && *pid <= INT32_MAX) {
            pids.push_back(static_cast<pid_t>(*pid));
        }
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
    return pids;
}

void pause_a_moment() {
    const timespec step{0, kPollStepNs};
    ::nanosleep(&step, nullptr);
}

}  // namespace

std::optional<pid_t> group_owner(std::string_view name) {
    if (name.substr(0, kPrefix.size()) != kPrefix) {
        return std::nullopt;
    }
    name.remove_prefix(kPrefix.size());
    auto dash = name.find('-');
    if (dash == std::string_view::npos || !decimal(name.substr(dash + 1))) {
        return std::nullopt;
    }
    auto pid = decimal(name.substr(0, dash));
    if (!pid || *pid == 0 || *pid > INT32_MAX) {
        return std::nullopt;
    }
    return static_cast<pid_t>(*pid);
}

std::vector<std::string> remove_stale_groups(const CgroupFs& fs, const CgroupDir& parent,
                                             pid_t owner) {
    std::vector<std::string> removed;
    auto names = fs.subdirectories(parent.directory);
    if (!names) {
        return removed;
    }
    for (const auto& name : *names) {
        auto pid = group_owner(name);
        if (!pid || *pid == owner || process_alive(*pid)) {
            continue;
        }
        const std::string path = control_file(parent.directory, name);
        auto procs = fs.read(path + "/cgroup.procs");
        if (!procs || !parse_pids(*procs).empty()) {
            continue;
        }
        if (fs.remove_directory(path) == 0) {
            removed.push_back(name);
        }
    }
    return removed;
}

OwnedCgroup OwnedCgroup::create(std::shared_ptr<const CgroupFs> fs, const CgroupDir& parent,
                                pid_t owner) {
    remove_stale_groups(*fs, parent, owner);
    for (int attempt = 0; attempt < 100; ++attempt) {
        const std::string name = std::string(kPrefix) + std::to_string(owner) + "-" +
                                 std::to_string(next_number.fetch_add(1));
        const std::string path = control_file(parent.directory, name);
        const int error = fs->make_directory(path);
        if (error == 0) {
            return OwnedCgroup(std::move(fs), CgroupDir{parent.version, path});
        }
        if (error != EEXIST) {
            throw Error(errno_message("cannot create the cgroup " + path, error));
        }
    }
    throw Error("cannot create a cgroup in " + parent.directory + ": every name is taken");
}

OwnedCgroup::OwnedCgroup(OwnedCgroup&& other) noexcept
    : fs_(std::move(other.fs_)), dir_(std::exchange(other.dir_, CgroupDir{})) {}

OwnedCgroup::~OwnedCgroup() {
    remove();
}

std::string OwnedCgroup::file(std::string_view name) const {
    return control_file(dir_.directory, name);
}

std::vector<pid_t> OwnedCgroup::members() const {
    auto text = fs_->read(file("cgroup.procs"));
    return text ? parse_pids(*text) : std::vector<pid_t>{};
}

std::size_t OwnedCgroup::kill_members() const noexcept {
    if (dir_.directory.empty() || !fs_) {
        return 0;
    }
    std::size_t found = 0;
    try {
        const pid_t self = ::getpid();
        auto pids = members();
        std::erase(pids, self);
        found = pids.size();
        if (dir_.version == 2 && fs_->exists(file("cgroup.kill"))) {
            fs_->write(file("cgroup.kill"), "1");
        }
        for (pid_t pid : pids) {
            ::kill(pid, SIGKILL);  // ESRCH when cgroup.kill was first
        }
    } catch (...) {
        // Only allocation can fail here.
    }
    return found;
}

Removal OwnedCgroup::remove(std::chrono::milliseconds patience) noexcept {
    Removal removal;
    if (dir_.directory.empty() || !fs_) {
        removal.removed = true;
        return removal;
    }
    const pid_t self = ::getpid();
    const auto deadline = std::chrono::steady_clock::now() + patience;
    std::vector<pid_t> signalled;
    for (;;) {
        try {
            for (pid_t pid : members()) {
                if (pid != self && ::kill(pid, SIGKILL) == 0 &&
                    std::find(signalled.begin(), signalled.end(), pid) == signalled.end()) {
                    signalled.push_back(pid);
                }
            }
        } catch (...) {
            // Only allocation can fail here: try the rmdir anyway.
        }
        removal.killed = signalled.size();
        const int error = fs_->remove_directory(dir_.directory);
        if (error == 0 || error == ENOENT) {
            removal.removed = true;
            break;
        }
        removal.error = error;
        // EBUSY: members are still dying. Anything else will not get better by waiting.
        if (error != EBUSY || std::chrono::steady_clock::now() >= deadline) {
            break;
        }
        pause_a_moment();
    }
    dir_.directory.clear();
    return removal;
}

}  // namespace blackbox::limit
