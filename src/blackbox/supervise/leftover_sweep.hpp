#pragma once

// What the command left running when it exited, however it detached (command_tree.hpp): found,
// signalled, reaped when it is our child, and accounted for, so the post-mortem can say what
// was left and whether it was stopped. The session drives it (docs/supervision.md, "After the
// command exits").

#include <vector>

#include <blackbox/supervise/command_tree.hpp>

namespace blackbox::supervise {

// One process the command left running.
struct Leftover {
    TreeProcess process;    // as first found
    bool in_group = false;  // it was still in the command's process group (else it had left it)
    bool stopped = false;   // gone after the cleanup (else it survived SIGKILL, e.g. a process
                            // in uninterruptible sleep, or one we may not signal)
};

class LeftoverSweep {
  public:
    // `scope.command` is not walked from (it was reaped: its pid may be another process's
    // now); the group id is `group`.
    LeftoverSweep(TreeScope scope, pid_t group);

    // Walks the tree again: running members not seen before join the list (a member that is
    // dying already, killed by a watchdog, is none); members that are exited children of ours
    // (zombies) are reaped. True when no member is running or dying any more.
    bool refresh();

    // Sends `sig` to every member found so far that is still the same running process.
    void signal(int sig) const;
    // SIGTERM, then SIGCONT (a stopped process acts on SIGTERM only once continued), to the
    // members found since the last call: a process busy handling its SIGTERM is not sent
    // another.
    void terminate_new();

    // The leftovers, each marked stopped or not as of now.
    std::vector<Leftover> result() const;

    bool empty() const noexcept { return found_.empty(); }

  private:
    TreeScope scope_;
    pid_t group_;
    std::vector<TreeProcess> found_;
    std::size_t terminated_ = 0;  // found_[0, terminated_) got their SIGTERM
};

}  // namespace blackbox::supervise
