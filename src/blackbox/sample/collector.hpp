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
};

// The strings of SamplerHeader::hidden.
inline constexpr const char* kHiddenOtherProcesses = "/proc/<pid> of other processes";
inline constexpr const char* kHiddenPressure = "/proc/pressure/memory";
inline constexpr const char* kHiddenMeminfo = "/proc/meminfo";
inline constexpr const char* kHiddenCgroup = "cgroup";

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

  private:
    CollectorOptions options_;
    std::uint64_t page_size_;
    ProcessTree tree_;
    base::UniqueFd meminfo_fd_;
    base::UniqueFd pressure_fd_;
    std::optional<CgroupMemoryReader> cgroup_;
    std::optional<CgroupInfo> cgroup_info_;
    bool others_hidden_ = false;
    bool cgroup_hidden_ = false;
    std::string buffer_;
};

}  // namespace blackbox::sample
