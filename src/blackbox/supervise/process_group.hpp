#pragma once

// A process group seen from outside: signal all of its members at once, ask whether any is left.
// Processes are only ever addressed by group id here, never by name.

#include <sys/types.h>

namespace blackbox::supervise {

class ProcessGroup {
  public:
    explicit ProcessGroup(pid_t id) noexcept : id_(id) {}

    pid_t id() const noexcept { return id_; }

    // kill(-id, sig). True when at least one member was signalled; false when the group is empty
    // (ESRCH) or we may not signal it. Async-signal-safe.
    bool signal(int sig) const noexcept;

    // True while any process (a zombie included) is in the group.
    bool alive() const noexcept;

    // Reaps the exited members that are our children (as subreaper, orphans of the group are),
    // except `keep`, which stays waitable (the main child, whose status its owner collects).
    // Non-blocking. Returns true when it stopped because `keep` itself is waitable.
    bool reap_exited_members(pid_t keep) const noexcept;

  private:
    pid_t id_;
};

}  // namespace blackbox::supervise
