#pragma once

// Starting the supervised command, and owning it until it is reaped (Bear's small RAII child).
// The child always leads a new process group (or a new session on a pseudo-terminal), so every
// signal can go to the whole tree it starts.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <signal.h>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include <blackbox/supervise/exit_status.hpp>
#include <blackbox/supervise/pre_exec_write.hpp>
#include <blackbox/supervise/process_group.hpp>
#include <blackbox/supervise/signal_pipe.hpp>

namespace blackbox::supervise {

// Everything the child needs, prepared before fork: between fork and exec only
// async-signal-safe calls run, so nothing there allocates, throws or takes a lock.
struct LaunchSpec {
    std::filesystem::path executable;      // passed to execve as is (no PATH search)
    std::vector<std::string> argv;         // argv[0] included
    std::vector<std::string> environment;  // the complete environment, "KEY=VALUE"
    int stdin_fd = -1;                     // descriptors of ours to become the child's 0, 1,
    int stdout_fd = -1;                    // 2; -1 leaves ours inherited. Not owned; they
    int stderr_fd = -1;                    // may be equal.
    // >= 0: the child calls setsid() and takes this terminal (a pty slave) as its controlling
    // terminal, so it is the foreground group there. < 0: the child calls setpgid(0, 0).
    int controlling_terminal = -1;
    // >= 0 (new-group mode only): the child makes its group the foreground group of this
    // terminal, our controlling terminal, so it can read it and gets its Ctrl-C. The caller
    // takes the foreground back (TerminalForeground).
    int foreground_terminal = -1;
    // Set in the child before exec (what our caller had before we installed handlers).
    std::vector<SignalDisposition> signal_dispositions;
    // Written by the child in this order, right after setsid()/setpgid().
    std::vector<PreExecWrite> pre_exec_writes;
    // > 0: the kernel sends this signal to the child when the thread that called spawn_child
    // exits (PR_SET_PDEATHSIG, set right after setsid()/setpgid(); a child whose parent died
    // before that exits at once). The thread must outlive the child: in a process that spawns
    // from a worker thread, the death of that thread counts. Not inherited by the child's own
    // children, and cleared by the kernel when it execs a set-user-ID program.
    int parent_death_signal = 0;
};

class ChildProcess;

struct SpawnResult;

// Forks and execs `spec`. The child starts with every signal blocked until its dispositions are
// set, then execs with none blocked. Waits until the exec happened or failed:
// an exec failure comes back through a close-on-exec pipe as an errno value (the child is reaped
// then), never as output of the child. Throws blackbox::Error when pipe2() or fork() fails.
SpawnResult spawn_child(const LaunchSpec& spec);

// The started child; pid() is also the id of its process group. If the owner lets go of it
// before it was reaped (an exception unwinding), the group is SIGKILLed and the child reaped, so
// nothing outlives the supervisor by accident. Move-only.
class ChildProcess {
  public:
    // Adopts `pid`, a child of ours leading its own process group.
    explicit ChildProcess(pid_t pid) noexcept : pid_(pid) {}
    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&&) = delete;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    pid_t pid() const noexcept { return pid_; }
    ProcessGroup group() const noexcept { return ProcessGroup(pid_); }

    // Reaps the child if it exited, and every exited member of its group that is our child
    // (orphans reparented to us as subreaper). Non-blocking; call it after each SIGCHLD.
    void reap() noexcept;

    // How the child ended; nullopt while it has not been reaped.
    const std::optional<ExitStatus>& status() const noexcept { return status_; }

    // The signal that stopped the child (SIGTSTP after Ctrl-Z, SIGSTOP...) if it stopped since
    // the last call; reap() notices stops (for SIGCHLD on stops, no SA_NOCLDSTOP).
    std::optional<int> take_stop() noexcept { return std::exchange(stopped_by_, std::nullopt); }

  private:
    void try_wait() noexcept;

    pid_t pid_ = -1;
    std::optional<ExitStatus> status_;
    std::optional<int> stopped_by_;
};

struct SpawnResult {
    std::optional<ChildProcess> child;  // set when the exec succeeded
    int exec_errno = 0;                 // set when it failed: nothing ran
    // When the failure was a required pre-exec write: its index in LaunchSpec::pre_exec_writes.
    std::optional<std::size_t> failed_write;
};

}  // namespace blackbox::supervise
