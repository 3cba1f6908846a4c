#pragma once

// One sample of everything the trail records, without threads or files of its own: the
// command's process tree, /proc/meminfo, memory pressure, the memory cgroup, and (less often)
// the machine's largest processes. The Sampler runs it on its thread; tests run it on recorded
// trees. What this machine hides (Android: other processes' /proc, PSI, cgroups) is found once,
// at construction, and named in the header; the figures that depend on it are left absent.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/sample/cgroup_memory.hpp>
#include <blackbox/sample/proc_fs.hpp>
#include <blackbox/sample/process_tree.hpp>
#include <blackbox/sample/records.hpp>

namespace blackbox::sample {

struct CollectorOptions {
    ProcFs fs;                             // the seam: "/" for the machine
    pid_t root = 0;                        // the command
    pid_t subreaper = 0;                   // see ProcessTree; 0: none
    std::uint64_t page_size = 0;           // 0: sysconf(_SC_PAGESIZE)
    std::optional<CgroupLocation> cgroup;  // nullopt: the root's own memory cgroup
    std::size_t top_count = 10;
    // The tree's PSS (ProcessTree::read_pss) is read only while the tree has more than one
    // process (one process counts no page twice: its RSS says it all), at most once per
    // `pss_interval_ns` (0: never), or sooner when the tree gained a process since the last
    // read (a child that lives less than the interval is still seen). The reads draw on a
    // budget of `pss_max_share` of one core, which accrues over time up to the cost of
    // `pss_burst` reads: over any long stretch they take at most that share however large the
    // tree (a 1 GiB tree costs ~5 ms a read: one every 1.25 s at 0.4%), and a tree that was
    // quiet can still be read at once when a child appears.
    std::int64_t pss_interval_ns = 250'000'000;
    double pss_max_share = 0.004;
    int pss_burst = 2;
};

// What reading PSS cost so far (Collector::pss_cost()).
struct PssCost {
    std::size_t reads = 0;
    std::int64_t cpu_ns = 0;  // the calling thread's CPU time inside those reads
};

// The strings of SamplerHeader::hidden.
inline constexpr const char* kHiddenOtherProcesses = "/proc/<pid> of other processes";
inline constexpr const char* kHiddenPressure = "/proc/pressure/memory";
inline constexpr const char* kHiddenMeminfo = "/proc/meminfo";
inline constexpr const char* kHiddenCgroup = "cgroup";
inline constexpr const char* kHiddenPss = "/proc/<pid>/smaps_rollup";

class Collector {
  public:
    // Probes the machine and opens the files read every sample. Never throws for what the
    // machine hides.
    explicit Collector(CollectorOptions options);

    // The header for the trail, given the rates the caller samples at. `ns` is its time.
    SamplerHeader header(std::int64_t ns, double interval_s, double top_interval_s) const;

    // One sample, stamped `ns`. Not thread-safe; one owner thread.
    Sample collect(std::int64_t ns);

    // The largest processes of the machine, stamped `ns`.
    TopRecord top(std::int64_t ns);

    std::uint64_t page_size() const noexcept { return page_size_; }

    PssCost pss_cost() const noexcept { return pss_cost_; }

  private:
    void maybe_read_pss(std::int64_t ns, TreeSample& tree);

    CollectorOptions options_;
    std::uint64_t page_size_;
    ProcessTree tree_;
    base::UniqueFd meminfo_fd_;
    base::UniqueFd pressure_fd_;
    std::optional<CgroupMemoryReader> cgroup_;
    std::optional<CgroupInfo> cgroup_info_;
    bool others_hidden_ = false;
    bool cgroup_hidden_ = false;
    bool pss_hidden_ = false;
    // The PSS budget: CPU time the reads may still take, as of `pss_credit_at_`, and what the
    // last read cost (the price of the next one). No read yet: the first is free.
    std::int64_t pss_credit_ns_ = 0;
    std::int64_t pss_credit_at_ = 0;
    std::int64_t last_pss_cost_ns_ = -1;
    std::int64_t last_pss_ns_ = 0;
    std::size_t last_pss_procs_ = 0;  // the tree's processes at the last read
    PssCost pss_cost_;
    std::string buffer_;
};

}  // namespace blackbox::sample
