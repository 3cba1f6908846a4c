#pragma once

// /proc/meminfo: the machine's memory, the figures the post-mortem needs to tell "the machine
// ran out" from "the cgroup ran out".

#include <cstdint>
#include <optional>
#include <string_view>

namespace blackbox::sample {

// In bytes; a field is empty when the kernel does not give it (MemAvailable before 3.14) or its
// line is malformed.
struct MemInfo {
    std::optional<std::uint64_t> total;       // MemTotal
    std::optional<std::uint64_t> free;        // MemFree
    std::optional<std::uint64_t> available;   // MemAvailable: what can be had without swapping
    std::optional<std::uint64_t> cached;      // Cached
    std::optional<std::uint64_t> swap_total;  // SwapTotal
    std::optional<std::uint64_t> swap_free;   // SwapFree

    // Bytes of swap in use (swap_total - swap_free), when both are known.
    std::optional<std::uint64_t> swap_used() const;
    bool operator==(const MemInfo&) const = default;
};

// Parses the fields above. Never fails.
MemInfo parse_meminfo(std::string_view text);

}  // namespace blackbox::sample
