#pragma once

// /proc/<pid>/status: the human-readable figures of a process. Dearer to read than statm (2-4 µs,
// the kernel formats ~55 lines), so the sampler reads it only when swap is in use.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace blackbox::sample {

struct ProcStatus {
    std::optional<std::string> name;       // "Name:", the comm (at most 15 bytes), escapes kept
    std::optional<pid_t> ppid;             // "PPid:"
    std::optional<std::uint64_t> vm_rss;   // "VmRSS:" in bytes; absent for kernel threads
    std::optional<std::uint64_t> vm_swap;  // "VmSwap:" in bytes; absent for kernel threads
    std::optional<std::uint64_t> vm_hwm;   // "VmHWM:" in bytes (peak RSS; resettable, see MEASURED)
};

// Parses the fields above; a missing or malformed line leaves its field empty. Never fails.
ProcStatus parse_proc_status(std::string_view text);

}  // namespace blackbox::sample
