#pragma once

// The command's process tree, however its members detached from it. A process that leaves the
// command's process group (`setsid`, `setpgid`, `start_new_session=True`, a double fork) is
// still found, three ways:
//  - by parentage below the command (/proc/<pid>/task/<tid>/children of every thread);
//  - by parentage below us, the child subreaper: the kernel reparents an orphan of the tree to
//    us, so our children (other than the command) are its orphans, and their descendants too;
//  - by membership of the cgroup the command was started in, which no process can leave
//    without privileges, whatever its parent.
// Used after the command exits, to find, report and stop what it left running
// (docs/supervision.md).

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace blackbox::supervise {

// Where the tree's members are found.
struct TreeScope {
    pid_t command = -1;  // the command's pid, also its process group id
    // This process when it is the tree's child subreaper (its children are the tree's orphans);
    // 0: none. Never a member itself.
    pid_t subreaper = 0;
    std::string cgroup;  // a cgroup directory the command started in ("": none)
    // Children of ours that are not the tree's: those we had before the command started, a
    // helper of ours.
    std::vector<pid_t> excluded;
};

// One process of the tree as /proc shows it.
struct TreeProcess {
    pid_t pid = 0;
    pid_t ppid = 0;
    pid_t pgid = 0;
    pid_t session = 0;
    char state = '?';  // 'Z': it exited and is not reaped yet
    // Killed already: exiting (PF_EXITING), or a SIGKILL pending; it will be gone without us.
    bool dying = false;
    std::uint64_t starttime = 0;  // clock ticks after boot (tells a reused pid apart)
    // Its command line, words joined by spaces (its name for a zombie), at most 200 bytes.
    std::string command;
};

// The members that exist now, zombies included (their `state` is 'Z'), never the subreaper
// itself nor an excluded pid. A process that vanishes during the walk is left out; without the
// children files (a kernel without CONFIG_PROC_CHILDREN) parents are found by a scan of /proc.
// Never throws for anything /proc says; memory exhaustion aside.
std::vector<TreeProcess> find_tree(const TreeScope& scope);

// The children of `pid` (of all its threads), zombies included; by a scan of /proc where the
// children files are missing. Empty when it has none or cannot be read.
std::vector<pid_t> children_of(pid_t pid);

// The same process still, neither exited nor dying: /proc/<pid>/stat shows
// `process.starttime`, a state other than zombie, and no PF_EXITING, and no SIGKILL is pending.
bool still_running(const TreeProcess& process);

}  // namespace blackbox::supervise
