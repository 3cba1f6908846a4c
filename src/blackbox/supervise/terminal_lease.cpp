#include <cerrno>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <blackbox/supervise/terminal_lease.hpp>

namespace blackbox::supervise {

namespace {

// tcsetpgrp from a background group stops the caller with SIGTTOU unless it is blocked.
void set_foreground(int fd, pid_t pgid) noexcept {
    sigset_t ttou;
    sigset_t previous;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    ::pthread_sigmask(SIG_BLOCK, &ttou, &previous);
    ::tcsetpgrp(fd, pgid);
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

}  // namespace

bool is_foreground_terminal(int fd) noexcept {
    return ::isatty(fd) != 0 && ::tcgetpgrp(fd) == ::getpgrp();
}

void TerminalLease::lend(pid_t pgid) noexcept {
    switch (kind_) {
        case Kind::none:
            break;
        case Kind::raw_input:
            if (!raw_) {
                raw_.emplace(fd_);
            }
            break;
        case Kind::foreground:
            set_foreground(fd_, pgid);
            lent_to_ = pgid;
            break;
    }
}

void TerminalLease::take_back() noexcept {
    raw_.reset();
    if (kind_ != Kind::foreground) {
        return;
    }
    // The command takes the terminal itself before exec, so after a failed exec the foreground
    // is the group of a child that is gone, and lend() was never called.
    const pid_t foreground = ::tcgetpgrp(fd_);
    if (foreground > 0 && foreground != ::getpgrp() &&
        (foreground == lent_to_ || (::kill(-foreground, 0) != 0 && errno == ESRCH))) {
        set_foreground(fd_, ::getpgrp());
    }
}

void TerminalLease::suspend(pid_t pgid) noexcept {
    take_back();
    ::raise(SIGTSTP);
    // Continued. Lend again only if the shell gave us the terminal (fg, not bg).
    if (is_foreground_terminal(fd_)) {
        lend(pgid);
    }
    ::kill(-pgid, SIGCONT);
}

}  // namespace blackbox::supervise
