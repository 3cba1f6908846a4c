#include <cmath>

#include <fmt/format.h>

#include <blackbox/repair/python_text.hpp>

namespace blackbox::repair {

std::string python_float(double value) {
    auto text = fmt::format("{}", value);
    if (text.find_first_of(".eEn") == std::string::npos) {
        text += ".0";
    }
    return text;
}

std::string python_timedelta(double seconds) {
    auto micros = static_cast<long long>(std::llround(seconds * 1e6));
    auto whole = micros / 1000000;
    auto text = fmt::format("{}:{:02d}:{:02d}", whole / 3600, whole / 60 % 60, whole % 60);
    if (micros % 1000000 != 0) {
        text += fmt::format(".{:06d}", micros % 1000000);
    }
    return text;
}

}  // namespace blackbox::repair
