#include <charconv>
#include <limits>

#include <blackbox/base/text_scan.hpp>

namespace blackbox::base {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool all_digits(std::string_view text) {
    for (char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return !text.empty();
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

bool next_line(std::string_view& text, std::string_view& line) {
    if (text.empty()) {
        return false;
    }
    auto newline = text.find('\n');
    line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    return true;
}

bool next_word(std::string_view& text, std::string_view& word) {
    std::size_t start = 0;
    while (start < text.size() && is_blank(text[start])) {
        ++start;
    }
    std::size_t end = start;
    while (end < text.size() && !is_blank(text[end])) {
        ++end;
    }
    word = text.substr(start, end - start);
    text.remove_prefix(end);
    return !word.empty();
}

std::optional<KeyValue> split_key_value(std::string_view line) {
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    return KeyValue{trim(line.substr(0, colon)), trim(line.substr(colon + 1))};
}

std::optional<std::string_view> value_after(std::string_view line, std::string_view key,
                                            char separator) {
    if (line.size() <= key.size() || line.substr(0, key.size()) != key ||
        line[key.size()] != separator) {
        return std::nullopt;
    }
    return trim(line.substr(key.size() + 1));
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
    if (!all_digits(text)) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::uint64_t> parse_hex_u64(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<double> parse_decimal(std::string_view text) {
    auto dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view fraction =
        dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    if (!all_digits(whole) || (dot != std::string_view::npos && !all_digits(fraction))) {
        return std::nullopt;
    }
    double value = 0;
    auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
    if (error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::uint64_t> parse_kib(std::string_view value) {
    std::string_view number;
    std::string_view unit;
    if (!next_word(value, number) || !next_word(value, unit) || unit != "kB" ||
        !trim(value).empty()) {
        return std::nullopt;
    }
    std::optional<std::uint64_t> kib = parse_u64(number);
    if (!kib || *kib > std::numeric_limits<std::uint64_t>::max() / 1024) {
        return std::nullopt;
    }
    return *kib * 1024;
}

}  // namespace blackbox::base
