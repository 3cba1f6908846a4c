#include <ctime>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>

namespace blackbox::base {

namespace {

std::int64_t read_clock(clockid_t id) noexcept {
    timespec ts{};
    ::clock_gettime(id, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::tm utc_fields(std::int64_t wall_ns) {
    std::time_t seconds = static_cast<std::time_t>(wall_ns / 1'000'000'000);
    std::tm fields{};
    ::gmtime_r(&seconds, &fields);
    return fields;
}

}  // namespace

std::int64_t monotonic_ns() noexcept {
    return read_clock(CLOCK_MONOTONIC);
}

std::int64_t wall_ns() noexcept {
    return read_clock(CLOCK_REALTIME);
}

std::string iso8601_utc(std::int64_t wall_ns) {
    std::tm t = utc_fields(wall_ns);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", t.tm_year + 1900, t.tm_mon + 1,
                       t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, (wall_ns / 1'000'000) % 1000);
}

std::string compact_utc(std::int64_t wall_ns) {
    std::tm t = utc_fields(wall_ns);
    return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", t.tm_year + 1900, t.tm_mon + 1,
                       t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
}

}  // namespace blackbox::base
