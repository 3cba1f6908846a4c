#pragma once

// What the supervised command's process does to itself between fork and exec, besides the
// standard setup (src/blackbox/supervise/child_process.hpp): write a few bytes to a file.

#include <string>

namespace blackbox::supervise {

// A file the child writes between fork and exec, once it leads its process group (or session)
// and before its descriptors and signals are set up: open(path, O_WRONLY | O_CLOEXEC), one
// write of `bytes` (retried on EINTR and short writes), close — all async-signal-safe. The child
// opens the path itself, so "/proc/self/oom_score_adj" is the child's own, and writing "0\n" to
// a cgroup's cgroup.procs moves the writer, i.e. the child (cgroup v1 and v2), before the command
// runs a single instruction. (Descriptors opened by the parent would do for cgroup.procs but not
// for /proc/self, and would have to be passed down and closed; paths need neither.) Used to join
// a memory cgroup and to raise the child's oom_score_adj (src/blackbox/limit/).
struct PreExecWrite {
    std::string path;   // absolute
    std::string bytes;  // written whole
    // A failure of a required write is a spawn failure: SpawnResult::exec_errno holds its errno
    // and failed_write its index; nothing runs. A failure of an optional one is ignored.
    bool required = true;
};

}  // namespace blackbox::supervise
