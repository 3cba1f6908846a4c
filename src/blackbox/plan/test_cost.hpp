#pragma once

// What the planner knows of one test: its median duration and peak memory over the recent
// sessions in which it passed (compare's baseline), or nothing when it never passed there.

#include <cstdint>
#include <optional>
#include <string>

namespace blackbox::plan {

struct TestCost {
    std::string nodeid;
    std::optional<double> duration_s;        // median setup + call + teardown; empty: no history
    std::optional<std::int64_t> peak_bytes;  // median peak resident memory of its process
};

}  // namespace blackbox::plan
