#pragma once

// Figures read from the files a run directory holds, and their sums. The files are untrusted (a
// crafted trail or journal may hold any 64-bit number): sums stop at the type's bounds instead
// of overflowing, which is undefined for signed integers and would turn a huge peak negative.

#include <cstdint>
#include <limits>

namespace blackbox::base {

// The largest size or count read from a run directory (a journal's, the trail's): 4 EiB, beyond
// any machine; sums of a few such figures stay within signed 64 bits.
inline constexpr std::int64_t kMaxFigure = std::int64_t{1} << 62;

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
