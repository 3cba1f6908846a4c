#pragma once

// Signals the race-free way (ninja, the self-pipe trick): the handler only writes the signal
// number, one byte, to a non-blocking pipe; the supervisor's poll() loop reads it and acts. While
// a SignalPipe is alive it owns the dispositions of the signals it was given; the previous ones
// come back when it is destroyed.

#include <initializer_list>
#include <signal.h>
#include <vector>

#include <blackbox/base/unique_fd.hpp>

namespace blackbox::supervise {

// A disposition to give a signal, e.g. in a child just before exec.
struct SignalDisposition {
    int signal = 0;
    struct sigaction action {};
};

class SignalPipe {
  public:
    // Construct and destroy on the same thread, the one that polls fd(): the caught signals are
    // unblocked there meanwhile (a caller that blocked SIGCHLD would otherwise never hear of
    // the child's death), and the thread's mask is put back on destruction.
    //
    // Catches `caught` (handlers run with SA_RESTART; SIGCHLD also for stopped children) and
    // ignores `ignored`. Dispositions are process-wide, so at most one SignalPipe may be alive: a
    // second one throws blackbox::Error, as does a failing pipe2() or sigaction() (nothing is left
    // installed then).
    SignalPipe(std::initializer_list<int> caught, std::initializer_list<int> ignored);
    // Restores every disposition this object changed.
    ~SignalPipe();
    SignalPipe(const SignalPipe&) = delete;
    SignalPipe& operator=(const SignalPipe&) = delete;

    // Readable (POLLIN) when a caught signal arrived since the last take(). Non-blocking; owned.
    int fd() const noexcept { return read_end_.get(); }

    // The caught signals that arrived since the last call, in arrival order (a signal arriving
    // again while still pending in the kernel is counted once). Never blocks.
    std::vector<int> take();

    // The dispositions in force before this object, with handler functions replaced by SIG_DFL
    // (exec would reset them anyway): what a child should get before exec, so it inherits what
    // our caller had (an ignored SIGHUP under nohup stays ignored) rather than our handlers.
    const std::vector<SignalDisposition>& dispositions_for_exec() const noexcept {
        return for_exec_;
    }

  private:
    void restore() noexcept;

    base::UniqueFd read_end_;
    base::UniqueFd write_end_;
    sigset_t saved_mask_{};
    std::vector<SignalDisposition> previous_;
    std::vector<SignalDisposition> for_exec_;
};

}  // namespace blackbox::supervise
