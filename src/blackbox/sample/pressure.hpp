#pragma once

// Pressure stall information (/proc/pressure/memory, or memory.pressure of a cgroup v2):
//   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
//   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
// Absent on kernels without CONFIG_PSI (or with psi=0), and on many Android kernels.

#include <cstdint>
#include <optional>
#include <string_view>

namespace blackbox::sample {

struct Pressure {
    std::optional<double> some10;          // % of the last 10 s some task stalled on memory
    std::optional<double> full10;          // % of the last 10 s all non-idle tasks stalled
    std::optional<std::uint64_t> some_us;  // total stall time, µs since boot
    std::optional<std::uint64_t> full_us;
    bool operator==(const Pressure&) const = default;
};

// Parses both lines; nullopt when neither line is well formed ("full" is absent before 5.13 on
// the system-wide cpu file, and may be on others).
std::optional<Pressure> parse_pressure(std::string_view text);

}  // namespace blackbox::sample
