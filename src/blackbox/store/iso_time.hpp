#pragma once

// Times as pytest-monitor's documentation writes them: ISO 8601 in UTC without a zone suffix,
// to the microsecond, the fraction omitted when it is zero (Python's isoformat()).

#include <cstdint>
#include <string>

namespace blackbox::store {

// "2026-11-22T08:55:54.488123" for a wall time in seconds since the epoch.
std::string iso_utc(double wall_s);

// "2026-11-22T08:55:54.488": to the millisecond, always with its fraction, as SQLite's
// strftime('%Y-%m-%dT%H:%M:%f') writes it; for when a server stored a row.
std::string iso_utc_ms(std::int64_t wall_ns);

}  // namespace blackbox::store
