#include <ctime>
#include <limits>

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

std::int64_t thread_cpu_ns() noexcept {
    return read_clock(CLOCK_THREAD_CPUTIME_ID);
}

std::int64_t wall_ns() noexcept {
    return read_clock(CLOCK_REALTIME);
}

std::string iso8601_utc(std::int64_t wall_ns) {
    std::tm t = utc_fields(wall_ns);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", t.tm_year + 1900, t.tm_mon + 1,
                       t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, (wall_ns / 1'000'000) % 1000);
}

std::optional<std::int64_t> parse_iso8601_utc(std::string_view text) {
    // Fixed positions: YYYY-MM-DDTHH:MM:SS
    constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
    if (text.size() < kShape.size()) {
        return std::nullopt;
    }
    for (std::size_t i = 0; i < kShape.size(); ++i) {
        bool digit = text[i] >= '0' && text[i] <= '9';
        if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) {
            return std::nullopt;
        }
    }
    auto number = [text](std::size_t at, std::size_t length) {
        int value = 0;
        for (std::size_t i = at; i < at + length; ++i) {
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    std::tm fields{};
    fields.tm_year = number(0, 4) - 1900;
    fields.tm_mon = number(5, 2) - 1;
    fields.tm_mday = number(8, 2);
    fields.tm_hour = number(11, 2);
    fields.tm_min = number(14, 2);
    fields.tm_sec = number(17, 2);
    std::int64_t fraction_ns = 0;
    std::size_t at = kShape.size();
    if (at < text.size() && text[at] == '.') {
        std::int64_t scale = 100'000'000;
        for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
            fraction_ns += (text[at] - '0') * scale;
            scale /= 10;
        }
    }
    if (at < text.size() && text[at] == 'Z') {
        ++at;
    }
    if (at != text.size()) {
        return std::nullopt;
    }
    // Nanoseconds since the epoch in 64 bits reach the years 1677 to 2262: a time outside them
    // (a crafted or corrupt file's "0014-…") is no time rather than an overflow.
    const auto seconds = static_cast<std::int64_t>(::timegm(&fields));
    constexpr std::int64_t kLimit = std::numeric_limits<std::int64_t>::max() / 1'000'000'000 - 1;
    if (seconds < -kLimit || seconds > kLimit) {
        return std::nullopt;
    }
    return seconds * 1'000'000'000 + fraction_ns;
}

std::string compact_utc(std::int64_t wall_ns) {
    std::tm t = utc_fields(wall_ns);
    return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", t.tm_year + 1900, t.tm_mon + 1,
                       t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
}

}  // namespace blackbox::base
