#pragma once

// Sums of figures read from files a run directory holds (untrusted: a crafted trail or journal
// may hold any 64-bit number): they stop at the type's bounds instead of overflowing, which is
// undefined for signed integers and would turn a huge peak into a negative one.

#include <cstdint>
#include <limits>

namespace blackbox::base {

inline std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) {
        return b > 0 ? std::numeric_limits<std::int64_t>::max()
                     : std::numeric_limits<std::int64_t>::min();
    }
    return sum;
}

inline std::int64_t saturating_sub(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t difference = 0;
    if (__builtin_sub_overflow(a, b, &difference)) {
        return b < 0 ? std::numeric_limits<std::int64_t>::max()
                     : std::numeric_limits<std::int64_t>::min();
    }
    return difference;
}

}  // namespace blackbox::base
