#pragma once

// The records of the memory trail, samples.jsonl (docs/formats/samples.md), as the sampler
// produces them and the trail reader gives them back.

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include <blackbox/sample/cgroup_memory.hpp>
#include <blackbox/sample/machine_top.hpp>
#include <blackbox/sample/meminfo.hpp>
#include <blackbox/sample/pressure.hpp>
#include <blackbox/sample/process_tree.hpp>

namespace blackbox::sample {

inline constexpr int kTrailVersion = 1;

// The memory cgroup the command runs in, as the header describes it.
struct CgroupInfo {
    int version = 2;                   // 1 or 2
    std::string path;                  // in the cgroup hierarchy
    std::optional<MemoryLimit> limit;  // at the start; nullopt: unreadable
    bool operator==(const CgroupInfo&) const = default;
};

// `sampler`: the first record.
struct SamplerHeader {
    std::int64_t ns = 0;  // CLOCK_MONOTONIC
    int version = kTrailVersion;
    double interval_s = 0;
    double top_interval_s = 0;
    // How PSS is read (CollectorOptions): at most once per this interval, while the tree has
    // more than one process, within this share of one core; absent when it is never read.
    std::optional<double> pss_interval_s;
    std::optional<double> pss_max_share;
    std::uint64_t page_size = 0;
    pid_t root = 0;    // the command's pid
    std::string tree;  // "children" or "scan" (how the tree is found)
    std::optional<CgroupInfo> cgroup;
    std::vector<std::string> hidden;  // what could not be read here; its figures are absent
    bool operator==(const SamplerHeader&) const = default;
};

// `sample`: the command's process tree and the machine at one instant. What the status line and
// the watchdogs see, too.
struct Sample {
    std::int64_t ns = 0;                // CLOCK_MONOTONIC
    std::uint64_t rss = 0;              // the tree's resident memory, bytes
    std::vector<ProcessMemory> procs;   // each process of the tree, the command first
    std::optional<std::uint64_t> pss;   // the tree's PSS, bytes, on the samples that read it
    std::optional<std::uint64_t> swap;  // the tree's swapped-out memory, bytes
    MemInfo mem;                        // the machine
    std::optional<Pressure> psi;        // memory pressure, when the kernel has PSI
    std::optional<CgroupMemory> cg;     // the command's memory cgroup, when readable
    bool operator==(const Sample&) const = default;
};

// `top`: the largest processes of the machine.
struct TopRecord {
    std::int64_t ns = 0;
    std::vector<TopProcess> procs;  // largest first
    bool operator==(const TopRecord&) const = default;
};

// `note`: something the sampler or a watchdog observed.
struct Note {
    std::int64_t ns = 0;
    std::string what;  // "threshold", "limit", "hang", "error", "stopped", …
    std::string text;  // one human-readable sentence
    std::optional<pid_t> pid;
    bool operator==(const Note&) const = default;
};

}  // namespace blackbox::sample
