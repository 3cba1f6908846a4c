#pragma once

// One supervised run of the command: start it in its own process group, tee its output to our
// terminal and the log, forward stop signals to its whole group, and after it ends, drain its
// output and clean up what it left behind. docs/supervision.md tells the whole story.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include <blackbox/base/write_loss.hpp>
#include <blackbox/supervise/dead_man_switch.hpp>
#include <blackbox/supervise/exit_status.hpp>
#include <blackbox/supervise/leftover_sweep.hpp>
#include <blackbox/supervise/pre_exec_write.hpp>

namespace blackbox::supervise {

struct SessionOptions {
    // The command; argv[0] is resolved against the PATH of `environment` (or
    // default_search_path()) when it has no slash. Must not be empty.
    std::vector<std::string> argv;
    // The complete environment of the command, "KEY=VALUE".
    std::vector<std::string> environment;
    // Receives every byte the command prints (created exclusively); empty: no log.
    std::filesystem::path output_log;
    // Caps output_log (0: no cap; see OutputLog).
    std::uint64_t output_log_max = 0;
    // false: never use a pseudo-terminal, even when our stdout is a terminal.
    bool allow_terminal = true;
    // How often on_tick runs while the command runs (at least every 1 ms).
    std::chrono::milliseconds tick{100};
    // Called once, right after the command was exec'd, with its pid (= its process group id).
    std::function<void(pid_t)> on_started;
    // Called about every `tick` until the command exits, on the thread that called
    // run_session, never concurrently with the relaying of output: whatever it writes to the
    // terminal lands between chunks of the command's output (never inside one), and output
    // processing stays on, so "\n" and "\r" work as usual.
    std::function<void()> on_tick;
    // After forwarding a stop signal, SIGKILL the group if any of it is still alive this long
    // after the first one.
    std::chrono::milliseconds stop_grace{3000};
    // After the command exits, how long to keep reading output that a leftover process still
    // holds open before cleaning up the group.
    std::chrono::milliseconds drain_timeout{500};
    // Leftovers of the group get SIGTERM, then SIGKILL when still alive after this.
    std::chrono::milliseconds leftover_grace{500};
    // After a small read, output waits this long before it is read again, so a command that
    // prints a little at a time is not slowed by waking the supervisor for every write
    // (pytest's progress: 20-40 µs a test). Invisible on a terminal; 0 disables.
    std::chrono::milliseconds output_coalesce{10};
    // The live status line's text for a width in columns, redrawn after every on_tick on the
    // bottom row of our terminal (see StatusBar). Only when the command runs on a
    // pseudo-terminal (our stdout is a terminal); unset: no status line.
    std::function<std::string(std::size_t columns)> status;
    // Files the command's process writes before exec, in order (joining a memory cgroup, raising
    // its oom_score_adj; see pre_exec_write.hpp). A failed required write fails the spawn.
    std::vector<PreExecWrite> pre_exec_writes;
    // A cgroup directory that holds the command's whole tree (the command joins it through one
    // of pre_exec_writes): its members count among the leftovers, and the dead man's switch
    // empties it if we die. "": none, the tree is followed by parentage alone.
    std::string tree_cgroup;
    // The line the dead man's switch appends if we die while the command runs.
    DeathNote death_note;
};

struct SessionResult {
    // Set when the command could not be started (nothing ran): ENOENT when not found, else
    // execve's errno. `status` then holds what a shell would report (127 / 126).
    std::optional<int> spawn_errno;
    // When that failure was a required pre_exec_writes entry (rather than exec): its index
    // (`status` is then 126).
    std::optional<std::size_t> spawn_failed_write;
    // The command's wait status.
    ExitStatus status;
    // When we reaped the command (CLOCK_MONOTONIC), before its output was drained and its
    // tree's leftovers stopped: the moment its main process ended, to within one wake-up.
    std::int64_t exited_ns = 0;
    // The first stop signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) we received while the command ran
    // and passed on to its group.
    std::optional<int> forwarded_signal;
    // The group outlived stop_grace after a forwarded signal and we SIGKILLed it: a SIGKILL in
    // `status` is then ours, not the kernel's OOM killer's.
    bool stop_escalated = false;
    // The last byte of the command's output that we passed on ('\n' when there was none): a
    // line we print after the session starts with a newline when this is not one.
    char output_last_byte = '\n';
    // Processes of the command's tree (its group, those that left it, the cgroup's members)
    // were still running after the command exited, and were terminated.
    bool leftovers_terminated = false;
    // Those processes, as found then, each marked stopped or not after the cleanup.
    std::vector<Leftover> leftovers;
    // The command ran on a pseudo-terminal.
    bool terminal = false;
    // errno of the first failure to write output_log.
    std::optional<int> log_errno;
    // The output that could not be written to output_log (amount in bytes), if any.
    std::optional<base::WriteLoss> log_loss;
    pid_t pid = -1;
};

// Runs the command to completion; blocks until it is reaped and its output drained, and its
// tree's leftovers terminated (bounded waits throughout, see SessionOptions). The command gets
// SIGKILL if we die (its parent-death signal), and a dead man's switch then stops the rest of
// its tree (dead_man_switch.hpp). Process-wide
// effects while it runs: handlers for SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGWINCH,
// SIGPIPE and SIGTTOU ignored, child-subreaper on, our terminal in raw input mode (pty mode) or its
// foreground given to the command (pipe mode with a terminal on stdin); all restored on return
// or exception. Hence one session at a time per process (a second concurrent call throws).
// Throws blackbox::Error when the supervision itself cannot work (no pipe, no fork, poll
// failing) and passes on exceptions from the hooks; the command's group is SIGKILLed and reaped
// before the exception leaves.
SessionResult run_session(const SessionOptions& options);

}  // namespace blackbox::supervise
