#include <algorithm>
#include <cerrno>
#include <csignal>
#include <sys/wait.h>

#include <blackbox/supervise/leftover_sweep.hpp>

namespace blackbox::supervise {

LeftoverSweep::LeftoverSweep(TreeScope scope, pid_t group)
    : scope_(std::move(scope)), group_(group) {
    scope_.command = -1;
}

bool LeftoverSweep::refresh() {
    bool running = false;  // or dying: still there to be waited for
    for (auto& process : find_tree(scope_)) {
        if (process.state == 'Z') {
            // An exited child of ours is reaped by its pid: a zombie's pid cannot be reused
            // before that, so this never takes another process's status.
            if (scope_.subreaper > 0 && process.ppid == scope_.subreaper) {
                siginfo_t info{};
                while (::waitid(P_PID, static_cast<id_t>(process.pid), &info, WEXITED | WNOHANG) !=
                           0 &&
                       errno == EINTR) {
                }
            }
            continue;
        }
        running = true;
        if (process.dying) {
            continue;  // killed already (a watchdog, or us): not left running
        }
        const bool known = std::any_of(found_.begin(), found_.end(), [&](const TreeProcess& p) {
            return p.pid == process.pid && p.starttime == process.starttime;
        });
        if (!known) {
            found_.push_back(std::move(process));
        }
    }
    return !running;
}

void LeftoverSweep::signal(int sig) const {
    for (const auto& process : found_) {
        if (still_running(process)) {
            ::kill(process.pid, sig);
        }
    }
}

void LeftoverSweep::terminate_new() {
    for (; terminated_ < found_.size(); ++terminated_) {
        const auto& process = found_[terminated_];
        if (still_running(process)) {
            ::kill(process.pid, SIGTERM);
            ::kill(process.pid, SIGCONT);
        }
    }
}

std::vector<Leftover> LeftoverSweep::result() const {
    std::vector<Leftover> leftovers;
    leftovers.reserve(found_.size());
    for (const auto& process : found_) {
        leftovers.push_back({process, process.pgid == group_, !still_running(process)});
    }
    return leftovers;
}

}  // namespace blackbox::supervise
