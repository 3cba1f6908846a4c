#pragma once

// The live status line's text: tests done of collected, the test in flight and how long it has
// run, the tree's memory, MemAvailable, and the limit when one is set. Pure: the caller hands
// in what the journals and the sampler say, and the terminal's width.

#include <cstdint>
#include <optional>
#include <string>

#include <blackbox/live/run_watch.hpp>

namespace blackbox::live {

struct MemoryNow {
    std::optional<std::uint64_t> tree_rss;       // bytes
    std::optional<std::uint64_t> mem_available;  // bytes
    std::optional<std::uint64_t> limit;          // bytes, when the run has one
};

// At most `width` columns (counting UTF-8 code points); the node id is shortened from the left
// first, keeping its end (the test's name), when the whole does not fit.
std::string status_text(const RunWatch& watch, const MemoryNow& memory, std::int64_t now_ns,
                        std::size_t width);

}  // namespace blackbox::live
