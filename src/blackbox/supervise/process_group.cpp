#include <cerrno>
#include <csignal>
#include <sys/wait.h>

#include <blackbox/supervise/process_group.hpp>

namespace blackbox::supervise {

bool ProcessGroup::signal(int sig) const noexcept {
    return id_ > 0 && ::kill(-id_, sig) == 0;
}

bool ProcessGroup::alive() const noexcept {
    // EPERM: a member exists that we may not signal (it changed credentials): still alive.
    return id_ > 0 && (::kill(-id_, 0) == 0 || errno == EPERM);
}

bool ProcessGroup::reap_exited_members(pid_t keep) const noexcept {
    if (id_ <= 0) {
        return false;
    }
    for (;;) {
        // Peek first (WNOWAIT) so that `keep` is never reaped here.
        siginfo_t info{};
        if (::waitid(P_PGID, static_cast<id_t>(id_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;  // ECHILD: none of our children is in the group
        }
        if (info.si_pid == 0) {
            return false;
        }
        if (info.si_pid == keep) {
            return true;
        }
        siginfo_t gone{};
        while (::waitid(P_PID, static_cast<id_t>(info.si_pid), &gone, WEXITED | WNOHANG) != 0 &&
               errno == EINTR) {
        }
    }
}

}  // namespace blackbox::supervise
