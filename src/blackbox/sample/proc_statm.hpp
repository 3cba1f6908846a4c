#pragma once

// /proc/<pid>/statm: "size resident shared text lib data dt", in pages. The cheapest figure of a
// process's resident memory alone (0.4-0.8 µs on a kept-open fd); the process tree reads
// /proc/<pid>/stat instead, which gives the same figure and the thread count in one read.

#include <cstdint>
#include <optional>
#include <string_view>

namespace blackbox::sample {

// The resident set in bytes (the second field times `page_size`), or nullopt when malformed.
// A zombie's statm is all zeros: 0 bytes.
std::optional<std::uint64_t> parse_statm_rss(std::string_view text, std::uint64_t page_size);

}  // namespace blackbox::sample
