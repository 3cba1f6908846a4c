#pragma once

// What stops the command when the supervisor itself dies (SIGKILL, the OOM killer, a crash)
// without ending the session: pytest must not run on unsupervised. Two parts:
//  - the command's own process gets PR_SET_PDEATHSIG(SIGKILL) between fork and exec
//    (LaunchSpec::parent_death_signal): the kernel kills it the instant we die, even stuck in C
//    code. It does not reach its descendants (xdist workers, what tests start);
//  - this switch: a tiny watcher process, forked before the command and not a child of ours
//    (a double fork; it leads a session of its own, so a signal to our process group or
//    terminal does not reach it), that blocks reading a channel whose other end only we hold. At
//    the end of the session we disarm it and it exits. When the channel reaches end-of-file
//    without that, we died: it SIGKILLs the command's process group and every member of the
//    tree's cgroup (cgroup.kill on cgroup v2, else by pid until the group is empty), removes
//    the cgroup, appends one line to a file (the supervisor's journal) and exits.
// Processes that left the process group are reached only through the cgroup: without one,
// nothing is left that knows them once we are gone (their parent chain went through us).
//
// The watcher is a fork of the supervisor that never execs (the supervisor may have other
// threads): it runs async-signal-safe calls only, and closes every descriptor it inherited.
// docs/supervision.md tells why this and not something else.

#include <string>
#include <sys/types.h>

namespace blackbox::supervise {

// The line the watcher appends when it fires: `prefix` (the opening of a JSON object, e.g.
// `{"ev":"supervisor_lost","attempt":2,`) followed by
// `"ns":<CLOCK_MONOTONIC>,"group_killed":<true|false>,"cgroup_killed":<members signalled>}`
// and a newline, in one write. Empty `path`: no line.
struct DeathNote {
    std::string path;
    std::string prefix;
};

class DeadManSwitch {
  public:
    // Starts the watcher for a tree that will live in `cgroup` (a cgroup directory, "" for
    // none). Never throws for a failure to start it (no fork, no pipe): active() is then false
    // and the session goes on without (the parent-death signal still stops the command).
    DeadManSwitch(std::string cgroup, DeathNote note);
    // disarm().
    ~DeadManSwitch();
    DeadManSwitch(const DeadManSwitch&) = delete;
    DeadManSwitch& operator=(const DeadManSwitch&) = delete;

    bool active() const noexcept { return write_fd_ >= 0; }
    // The watcher's pid (0 when not active); normally not our child, but when this process is
    // already a child subreaper it may be (so the tree walk must skip it).
    pid_t pid() const noexcept { return pid_; }

    // The command runs as process group `process_group`: the watcher kills it if it fires.
    void arm(pid_t process_group) noexcept;
    // We end normally: the watcher exits without doing anything. Idempotent.
    void disarm() noexcept;

  private:
    std::string cgroup_;
    DeathNote note_;
    int write_fd_ = -1;
    pid_t pid_ = 0;
};

}  // namespace blackbox::supervise
