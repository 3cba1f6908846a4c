#pragma once

// /proc/<pid>/smaps_rollup (Linux 4.14+): a process's memory summed over its mappings, with its
// proportional set size (PSS): each resident page divided by the number of processes that map
// it, so that the PSS of a process tree counts a page its processes share once in all, where
// their RSS counts it once per process (a fork shares every page of its parent until written).
// The kernel walks every mapping to produce it: about 4.5-7 ms per GiB resident, a thousand times
// a statm read, so the sampler reads it rarely (docs/sampling.md).

#include <cstdint>
#include <optional>
#include <string_view>

namespace blackbox::sample {

// The "Pss:" line in bytes; nullopt when it is missing or malformed (a zombie's file is empty).
std::optional<std::uint64_t> parse_smaps_rollup_pss(std::string_view text);

}  // namespace blackbox::sample
