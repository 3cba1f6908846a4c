#pragma once

// A pseudo-terminal pair for running the command "on a terminal" while still seeing every byte
// it prints: the child gets the slave as its controlling terminal, we read the master.

#include <blackbox/base/unique_fd.hpp>

namespace blackbox::supervise {

struct PseudoTerminal {
    base::UniqueFd master;  // close-on-exec, non-blocking
    base::UniqueFd slave;   // close-on-exec (the child gets it through dup2)
};

// Opens a new pseudo-terminal. When `model` is a terminal, the slave gets its settings and window
// size, except that output post-processing (OPOST) is off: what the program writes reaches the
// master byte for byte (no "\n" -> "\r\n"), so the log holds exactly what was printed, and our
// own terminal, whose output processing stays on, does the translation on screen. Throws
// blackbox::Error when no pseudo-terminal can be opened.
PseudoTerminal open_pseudo_terminal(int model);

// Copies the window size of terminal `from` to terminal `to` (on a pty master, the kernel then
// sends SIGWINCH to the slave's foreground group). False when either is not a terminal.
// Async-signal-safe.
bool copy_window_size(int from, int to, unsigned short reserved_rows = 0) noexcept;

}  // namespace blackbox::supervise
