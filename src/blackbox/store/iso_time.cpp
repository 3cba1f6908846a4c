#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include <blackbox/store/iso_time.hpp>

namespace blackbox::store {

std::string iso_utc(double wall_s) {
    const auto micros = static_cast<std::int64_t>(std::llround(wall_s * 1e6));
    // Floor division: a time before the epoch still has a fraction in [0, 1 s).
    std::int64_t seconds = micros / 1'000'000;
    std::int64_t fraction = micros % 1'000'000;
    if (fraction < 0) {
        fraction += 1'000'000;
        --seconds;
    }
    const auto time = static_cast<std::time_t>(seconds);
    std::tm t{};
    ::gmtime_r(&time, &t);
    auto text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", t.tm_year + 1900, t.tm_mon + 1,
                            t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
    if (fraction != 0) {
        text += fmt::format(".{:06}", fraction);
    }
    return text;
}

std::string iso_utc_ms(std::int64_t wall_ns) {
    std::int64_t millis = wall_ns / 1'000'000;
    if (wall_ns < 0 && wall_ns % 1'000'000 != 0) {
        --millis;  // floor
    }
    std::int64_t seconds = millis / 1000;
    std::int64_t fraction = millis % 1000;
    if (fraction < 0) {
        fraction += 1000;
        --seconds;
    }
    const auto time = static_cast<std::time_t>(seconds);
    std::tm t{};
    ::gmtime_r(&time, &t);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}", t.tm_year + 1900, t.tm_mon + 1,
                       t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, fraction);
}

}  // namespace blackbox::store
