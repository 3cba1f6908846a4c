#pragma once

// The process tree of the command: every process descended from a root pid, with its resident
// memory, found the cheap way (/proc/<pid>/task/<tid>/children of every thread) or, on kernels
// without those files (many Android kernels), by scanning /proc for parent pids.
//
// Processes come and go during a walk: one that vanishes is skipped, never an error. A member's
// /proc/<pid>/stat (resident pages and thread count in one read) and its threads' children
// files stay open from sample to sample and are read again with one pread each; the task
// directory is listed again when the thread count changes and every `kRelistEvery` samples
// (an exited thread's children file reads as empty: its children moved to a sibling thread,
// which may be newer than the listing). A kept fd is bound to its process, not to its pid number:
// once that process is reaped, reads fail with ESRCH (a zombie reads as holding nothing), so a
// reused pid is noticed and reopened.

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <unordered_map>
#include <vector>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/sample/proc_fs.hpp>

namespace blackbox::sample {

struct ProcessMemory {
    pid_t pid = 0;
    std::uint64_t rss = 0;  // bytes
    pid_t ppid = 0;         // its parent (0: unknown), to sum a subtree: an xdist worker's
    // Its proportional set size, bytes (smaps_rollup), on the samples where PSS was read and
    // its file could be read (0: it ended between the walk and the read).
    std::optional<std::uint64_t> pss;
    bool operator==(const ProcessMemory&) const = default;
};

struct TreeSample {
    std::vector<ProcessMemory> procs;   // the root first (when alive), then breadth-first
    std::uint64_t rss = 0;              // sum over procs, bytes
    std::optional<std::uint64_t> swap;  // sum of VmSwap, bytes, when asked and all were readable
    std::optional<std::uint64_t> pss;   // sum of PSS, bytes, when read (read_pss) for all
};

// How the tree's members are found.
enum class TreeMethod {
    children_files,  // /proc/<pid>/task/<tid>/children, every sample
    proc_scan,       // parent pids from /proc/*/stat, every `kScanEvery` samples
};

class ProcessTree {
  public:
    // In proc_scan mode, membership is refreshed every this many samples (the scan costs about
    // 2 µs a process on the machine); members' memory is read every sample.
    static constexpr int kScanEvery = 4;

    // Threads are listed again at least every this many samples.
    static constexpr int kRelistEvery = 20;

    // `root`: the command. `subreaper`: when not 0, a child subreaper (the supervisor) whose
    // children are part of the tree too, so processes orphaned inside the tree, which the
    // kernel reparents to it, are still counted; it is never a member itself.
    ProcessTree(ProcFs fs, pid_t root, std::uint64_t page_size, pid_t subreaper = 0);

    // Walks the tree and reads every member's memory (plus VmSwap from /proc/<pid>/status when
    // `with_swap`). Not thread-safe; one owner thread. Never throws on vanished processes.
    TreeSample sample(bool with_swap = false);

    // Reads the PSS of every process of `tree` (a sample just taken) from its smaps_rollup,
    // opened afresh (a kept fd would hold the memory map of the process as it was when opened,
    // not after an exec). A process that ended since the walk holds nothing (0); one whose file
    // cannot be read otherwise has no PSS, and then the tree has none either. Costs about
    // 4.5-7 ms per GiB resident: the caller decides how often (Collector).
    void read_pss(TreeSample& tree);

    TreeMethod method() const noexcept { return method_; }

    // How many processes have fds kept open (for tests).
    std::size_t tracked() const noexcept { return tracked_.size(); }

  private:
    // What is kept open for one process.
    struct Tracked {
        base::UniqueFd stat;
        std::uint64_t starttime = 0;
        std::uint64_t threads = 0;             // the thread count when `children` was made
        int age = 0;                           // samples since `children` was made
        std::vector<base::UniqueFd> children;  // each thread's children file
    };
    // A process as read this sample.
    struct Seen {
        Tracked* tracked;
        std::uint64_t rss_pages;
        pid_t ppid;
    };

    std::optional<Seen> look_at(pid_t pid);
    bool list_threads(pid_t pid, Tracked& tracked);
    bool append_children(pid_t pid, Tracked& tracked, std::vector<pid_t>& children);
    std::optional<std::vector<pid_t>> walk_children_files(TreeSample& tree);
    std::vector<pid_t> scan_members();
    void add_member(TreeSample& tree, pid_t pid, const Seen& seen);

    ProcFs fs_;
    pid_t root_;
    std::uint64_t page_size_;
    pid_t subreaper_;
    TreeMethod method_;
    int samples_since_scan_ = 0;
    std::vector<pid_t> members_;  // the last scan's pids (proc_scan mode)
    std::unordered_map<pid_t, Tracked> tracked_;
    std::string buffer_;
};

}  // namespace blackbox::sample
