#include <limits>

#include <blackbox/context/line_fields.hpp>

namespace blackbox::context {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_blank(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        if (end == std::string_view::npos) {
            lines.push_back(text);
            break;
        }
        lines.push_back(text.substr(0, end));
        text.remove_prefix(end + 1);
    }
    return lines;
}

std::optional<KeyValue> split_key_value(std::string_view line) {
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    return KeyValue{trim(line.substr(0, colon)), trim(line.substr(colon + 1))};
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t value = 0;
    for (char c : text) {
        if (!is_digit(c)) {
            return std::nullopt;
        }
        auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (kMax - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
    }
    return value;
}

std::optional<double> parse_decimal(std::string_view text) {
    std::size_t dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
    if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) {
        return std::nullopt;
    }
    std::optional<std::uint64_t> integer = parse_unsigned(whole);
    if (!integer) {
        return std::nullopt;
    }
    // Digits past the 18th cannot change a double's value noticeably and would overflow.
    std::string_view kept = fraction.substr(0, 18);
    std::optional<std::uint64_t> numerator = kept.empty() ? 0 : parse_unsigned(kept);
    if (!numerator) {
        return std::nullopt;
    }
    for (char c : fraction.substr(kept.size())) {
        if (!is_digit(c)) {
            return std::nullopt;
        }
    }
    double denominator = 1;
    for (std::size_t i = 0; i < kept.size(); ++i) {
        denominator *= 10;
    }
    double value = static_cast<double>(*integer) + static_cast<double>(*numerator) / denominator;
    return value;
}

}  // namespace blackbox::context
