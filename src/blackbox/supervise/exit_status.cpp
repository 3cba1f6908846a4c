#include <sys/wait.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/signal_name.hpp>
#include <blackbox/supervise/exit_status.hpp>

namespace blackbox::supervise {

ExitStatus ExitStatus::from_wait_status(int status) {
    if (WIFEXITED(status)) {
        return exited(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return signaled(WTERMSIG(status), WCOREDUMP(status));
    }
    throw Error("not the wait status of a terminated process: " + std::to_string(status));
}

ExitStatus ExitStatus::from_siginfo(const siginfo_t& info) {
    switch (info.si_code) {
        case CLD_EXITED:
            return exited(info.si_status);
        case CLD_KILLED:
            return signaled(info.si_status, false);
        case CLD_DUMPED:
            return signaled(info.si_status, true);
        default:
            throw Error("not the siginfo of a terminated child: si_code " +
                        std::to_string(info.si_code));
    }
}

ExitStatus ExitStatus::exited(int code) noexcept {
    ExitStatus status;
    status.value_ = code;
    return status;
}

ExitStatus ExitStatus::signaled(int sig, bool core) noexcept {
    ExitStatus status;
    status.signaled_ = true;
    status.value_ = sig;
    status.core_dumped_ = core;
    return status;
}

std::optional<int> ExitStatus::code() const noexcept {
    if (signaled_) {
        return std::nullopt;
    }
    return value_;
}

std::optional<int> ExitStatus::signal() const noexcept {
    if (!signaled_) {
        return std::nullopt;
    }
    return value_;
}

int ExitStatus::shell_code() const noexcept {
    return signaled_ ? 128 + value_ : value_;
}

std::string ExitStatus::description() const {
    if (!signaled_) {
        return "exited with code " + std::to_string(value_);
    }
    return "killed by " + base::signal_name(value_) + (core_dumped_ ? " (core dumped)" : "");
}

}  // namespace blackbox::supervise
