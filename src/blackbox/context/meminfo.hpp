#pragma once

// The machine's total memory from /proc/meminfo. (The sampler reads the rest of that file; the
// execution context needs only the one fixed figure.)

#include <cstdint>
#include <optional>
#include <string_view>

namespace blackbox::context {

// "MemTotal:  24684084 kB" in bytes (kB there means KiB), or nullopt when the line is missing or
// malformed. Never throws.
std::optional<std::uint64_t> parse_meminfo_total(std::string_view text);

}  // namespace blackbox::context
