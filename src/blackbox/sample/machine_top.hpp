#pragma once

// The largest processes of the whole machine by resident memory: who else was eating memory
// when the OOM killer struck. A full /proc scan (one /proc/<pid>/stat read a process: 2 µs,
// ~0.2-0.6 ms for 100 processes), so the sampler runs it at a lower rate than the tree.

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include <blackbox/sample/proc_fs.hpp>

namespace blackbox::sample {

struct TopProcess {
    pid_t pid = 0;
    std::uint64_t rss = 0;  // bytes
    std::string name;       // the comm (at most 15 bytes; any bytes but '\0')
    bool operator==(const TopProcess&) const = default;
};

struct MachineTop {
    std::vector<TopProcess> procs;  // largest first; ties by pid
    std::size_t seen = 0;           // processes whose stat could be read
};

// The `count` largest processes. Kernel threads (no memory) never make the list; processes
// hidden from us (Android's hidepid) are simply not seen. Never throws on vanished processes.
// `buffer` is scratch space, reused between calls.
MachineTop machine_top(const ProcFs& fs, std::uint64_t page_size, std::size_t count,
                       std::string& buffer);

}  // namespace blackbox::sample
