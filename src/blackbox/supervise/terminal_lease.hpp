#pragma once

// Our terminal lent to the command while it runs, and taken back on every way out.
//
// On a pseudo-terminal (pty mode), our terminal goes to raw input mode so each key reaches the
// command's own terminal. In pipe mode with a terminal on stdin, the command's process group
// becomes the foreground group, so it can read the terminal (pdb) and gets Ctrl-C from it.
// Job control follows the command: when Ctrl-Z stops it, we take the terminal back and stop
// too, so the shell sees the job stopped; `fg` continues us and we continue the command.

#include <optional>
#include <sys/types.h>

#include <blackbox/supervise/raw_input_mode.hpp>

namespace blackbox::supervise {

// True when `fd` is a terminal whose foreground process group is ours: only then may we take
// its input or lend it (a background job must leave the terminal to the shell).
bool is_foreground_terminal(int fd) noexcept;

class TerminalLease {
  public:
    enum class Kind {
        none,        // nothing to lend (stdin is not our terminal)
        raw_input,   // pty mode: our terminal in raw input mode
        foreground,  // pipe mode: the command's group in the foreground
    };

    // Lends nothing yet. Construct before starting the command: in foreground mode the command
    // takes the foreground itself before exec (LaunchSpec::foreground_terminal), so the
    // terminal must come back even if the exec then fails.
    TerminalLease(int fd, Kind kind) noexcept : fd_(fd), kind_(kind) {}
    ~TerminalLease() { take_back(); }
    TerminalLease(const TerminalLease&) = delete;
    TerminalLease& operator=(const TerminalLease&) = delete;

    Kind kind() const noexcept { return kind_; }

    // Lends the terminal to process group `pgid` (raw input mode, or the foreground).
    void lend(pid_t pgid) noexcept;

    // Our settings restored, or our group in the foreground again (SIGTTOU is blocked meanwhile,
    // so this works from the background too) — but only while the foreground is the command's or
    // a group that no longer exists (the command took it and died), never when the shell has
    // taken it back. Idempotent; lend() again is allowed.
    void take_back() noexcept;

    // The command's main process stopped on `sig` (SIGTSTP, SIGTTIN, SIGTTOU): take the terminal
    // back and stop ourselves with SIGTSTP until continued (`fg`; in an orphaned process group,
    // where the kernel discards SIGTSTP, we go on at once), then lend the terminal again if we
    // are in the foreground and continue the command's group. Blocks while we are stopped.
    void suspend(pid_t pgid) noexcept;

  private:
    int fd_;
    Kind kind_;
    pid_t lent_to_ = -1;
    std::optional<RawInputMode> raw_;
};

}  // namespace blackbox::supervise
