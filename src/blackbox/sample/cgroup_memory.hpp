#pragma once

// The memory figures of one cgroup: what it is charged, its limit, how many OOM kills the kernel
// made in it.
//
//            usage                  limit                       OOM kills
//   v1   memory.usage_in_bytes   memory.limit_in_bytes        memory.oom_control  "oom_kill N"
//   v2   memory.current          memory.max ("max")           memory.events       "oom_kill N"
//
// v1's usage counts the page cache too, as its limit does.

#include <cstdint>
#include <optional>
#include <string_view>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/sample/cgroup_location.hpp>
#include <blackbox/sample/proc_fs.hpp>

namespace blackbox::sample {

// A limit read from the kernel: a number of bytes, or none.
struct MemoryLimit {
    std::optional<std::uint64_t> bytes;  // nullopt: unlimited
    bool operator==(const MemoryLimit&) const = default;
};

struct CgroupMemory {
    std::optional<std::uint64_t> usage;     // bytes charged; nullopt: unreadable
    std::optional<MemoryLimit> limit;       // the effective limit; nullopt: unreadable
    std::optional<std::uint64_t> oom_kill;  // OOM kills so far; nullopt: not counted here
    bool operator==(const CgroupMemory&) const = default;
};

// v1 writes "no limit" as PAGE_COUNTER_MAX pages (9223372036854771712 with 4 KiB pages, other
// figures with other page sizes): any limit at or above 2^62 bytes means none.
inline constexpr std::uint64_t kV1UnlimitedFloor = std::uint64_t{1} << 62;

// memory.usage_in_bytes or memory.current: one decimal number.
std::optional<std::uint64_t> parse_cgroup_bytes(std::string_view text);

// memory.limit_in_bytes (v1) or memory.max (v2: "max" is no limit).
std::optional<MemoryLimit> parse_cgroup_limit(std::string_view text, int version);

// The "oom_kill N" line of memory.oom_control (v1, kernel ≥ 4.13) or memory.events (v2).
std::optional<std::uint64_t> parse_oom_kill(std::string_view text);

// The smaller of two limits (no limit is larger than any).
MemoryLimit tighter(const MemoryLimit& a, const MemoryLimit& b);

// Reads one cgroup's figures every sample through fds kept open (0.3 µs a file). The limit is the
// tightest of the cgroup's own (read every time) and its ancestors' (read once, at
// construction): a cgroup's own "max" does not mean the tree above it is unlimited. Not
// thread-safe; one owner thread.
class CgroupMemoryReader {
  public:
    CgroupMemoryReader(const ProcFs& fs, CgroupLocation location);

    // Whether the usage file could be opened (false: the cgroup's figures are hidden or gone).
    bool readable() const noexcept { return usage_fd_.valid(); }
    const CgroupLocation& location() const noexcept { return location_; }

    // The current figures; fields that cannot be read are empty.
    CgroupMemory read();

  private:
    CgroupLocation location_;
    base::UniqueFd usage_fd_;
    base::UniqueFd limit_fd_;
    base::UniqueFd events_fd_;
    MemoryLimit ancestors_limit_;
    std::string buffer_;
};

}  // namespace blackbox::sample
