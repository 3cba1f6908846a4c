#pragma once

// The ranges of the numbers a client sends, for both readers of a row (FieldReader and the
// ingest's fast path: each has optional_integer, optional_number and fail): a size in bytes or a
// count is never negative, a duration never negative, and no figure is beyond 2^53, the largest
// a double (and so JavaScript, and every JSON reader) holds exactly. A value out of its range is
// refused with the field named, as a value of the wrong type is, so that no page or chart meets
// a peak of -2^63 bytes.

#include <cstdint>
#include <optional>
#include <string_view>

namespace blackbox::wire {

inline constexpr std::int64_t kMaxExactInteger = std::int64_t{1} << 53;
// A duration in seconds: more than thirty years is not one.
inline constexpr double kMaxSeconds = 1e9;

// A size in bytes or a count: 0 .. 2^53; nullopt for null or an absent key.
template <typename Reader>
std::optional<std::int64_t> optional_count(Reader& in, std::string_view key) {
    auto value = in.optional_integer(key);
    if (value && (*value < 0 || *value > kMaxExactInteger)) {
        in.fail(key, "must be within 0 .. 2^53");
        return std::nullopt;
    }
    return value;
}

// A required count.
template <typename Reader>
std::int64_t count(Reader& in, std::string_view key) {
    auto value = in.integer(key);
    if (value < 0 || value > kMaxExactInteger) {
        in.fail(key, "must be within 0 .. 2^53");
        return 0;
    }
    return value;
}

// A difference of sizes in bytes: -2^53 .. 2^53.
template <typename Reader>
std::optional<std::int64_t> optional_byte_difference(Reader& in, std::string_view key) {
    auto value = in.optional_integer(key);
    if (value && (*value < -kMaxExactInteger || *value > kMaxExactInteger)) {
        in.fail(key, "must be within -2^53 .. 2^53");
        return std::nullopt;
    }
    return value;
}

// A duration in seconds: 0 .. kMaxSeconds.
template <typename Reader>
std::optional<double> optional_seconds(Reader& in, std::string_view key) {
    auto value = in.optional_number(key);
    if (value && !(*value >= 0 && *value <= kMaxSeconds)) {
        in.fail(key, "must be within 0 .. 1e9 seconds");
        return std::nullopt;
    }
    return value;
}

// A measure of pytest-monitor's (a time, a CPU ratio, a memory figure in MB): -2^53 .. 2^53.
template <typename Reader>
std::optional<double> optional_measure(Reader& in, std::string_view key) {
    constexpr double kMax = static_cast<double>(kMaxExactInteger);
    auto value = in.optional_number(key);
    if (value && !(*value >= -kMax && *value <= kMax)) {
        in.fail(key, "must be within -2^53 .. 2^53");
        return std::nullopt;
    }
    return value;
}

}  // namespace blackbox::wire
