#pragma once

// How a process ended, as wait() reports it: an exit code or a fatal signal. An expected outcome,
// so a value (Bear's ExitStatus), never an error.

#include <optional>
#include <signal.h>
#include <string>

namespace blackbox::supervise {

class ExitStatus {
  public:
    // Exited with code 0; a placeholder until a real status is known.
    ExitStatus() noexcept = default;

    // From a waitpid() status of a terminated process. Throws blackbox::Error for a stopped or
    // continued status (callers never ask for those: no WUNTRACED / WCONTINUED).
    static ExitStatus from_wait_status(int status);
    // From waitid()'s siginfo of a terminated child (CLD_EXITED, CLD_KILLED, CLD_DUMPED). Throws
    // blackbox::Error for any other si_code.
    static ExitStatus from_siginfo(const siginfo_t& info);

    static ExitStatus exited(int code) noexcept;
    static ExitStatus signaled(int sig, bool core = false) noexcept;

    // The exit code (0-255) when the process exited; nullopt when a signal killed it.
    std::optional<int> code() const noexcept;
    // The signal number when a signal killed the process; nullopt when it exited.
    std::optional<int> signal() const noexcept;
    // True when the process was killed by a signal and the kernel wrote a core dump.
    bool core_dumped() const noexcept { return core_dumped_; }
    // What a POSIX shell would report in $?: the code, or 128 + the signal number.
    int shell_code() const noexcept;

    // "exited with code 3", "killed by SIGSEGV (core dumped)".
    std::string description() const;

    friend bool operator==(const ExitStatus&, const ExitStatus&) = default;

  private:
    bool signaled_ = false;
    int value_ = 0;  // the exit code, or the signal number when signaled_
    bool core_dumped_ = false;
};

}  // namespace blackbox::supervise
