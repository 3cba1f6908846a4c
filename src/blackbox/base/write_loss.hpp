#pragma once

// What a writer that must never fail the run (a full disk, an unwritable file) could not write:
// when it first failed, why, and how much it lost. A writer keeps trying after a failure and,
// when writing works again, says in its file what was lost there.

#include <cstdint>

namespace blackbox::base {

struct WriteLoss {
    std::int64_t since_ns = 0;  // CLOCK_MONOTONIC of the first failure
    int error = 0;              // errno of the first failure
    std::uint64_t amount = 0;   // what was lost (bytes or lines: the writer says which)
};

}  // namespace blackbox::base
