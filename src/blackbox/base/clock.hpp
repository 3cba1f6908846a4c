#pragma once

// Time, behind a seam. Monotonic nanoseconds are CLOCK_MONOTONIC, the same clock Python's
// time.monotonic_ns() reads, so supervisor samples and journal records share one axis.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace blackbox::base {

// CLOCK_MONOTONIC in nanoseconds.
std::int64_t monotonic_ns() noexcept;

// CPU time the calling thread has used (CLOCK_THREAD_CPUTIME_ID: user and system), in
// nanoseconds: what a thread's own work costs.
std::int64_t thread_cpu_ns() noexcept;

// CLOCK_REALTIME in nanoseconds since the Unix epoch.
std::int64_t wall_ns() noexcept;

// "2026-11-22T04:21:19.512Z" for a wall time in nanoseconds.
std::string iso8601_utc(std::int64_t wall_ns);

// The wall time in nanoseconds of "2026-11-22T04:21:19.512Z" (the fraction and the Z are
// optional; the time is read as UTC); nullopt when the text has another shape.
std::optional<std::int64_t> parse_iso8601_utc(std::string_view text);

// "20261122T042119Z" for a wall time in nanoseconds (sortable, file-name safe).
std::string compact_utc(std::int64_t wall_ns);

}  // namespace blackbox::base
