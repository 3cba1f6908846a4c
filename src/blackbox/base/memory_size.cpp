#include <array>
#include <cctype>
#include <cstdio>

#include <blackbox/base/memory_size.hpp>

namespace blackbox::base {

namespace {

__extension__ typedef unsigned __int128 Wide;

struct Unit {
    std::string_view name;  // lower case
    int shift;              // the multiplier is 1 << shift
};

constexpr std::array<Unit, 17> kUnits{{
    {"", 0},
    {"b", 0},
    {"k", 10},
    {"kb", 10},
    {"kib", 10},
    {"m", 20},
    {"mb", 20},
    {"mib", 20},
    {"g", 30},
    {"gb", 30},
    {"gib", 30},
    {"t", 40},
    {"tb", 40},
    {"tib", 40},
    {"p", 50},
    {"pb", 50},
    {"pib", 50},
}};

// Digits beyond these in a fraction cannot change the result by a whole byte.
constexpr std::size_t kMaxFractionDigits = 18;

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

ParsedSize failure(std::string_view text, std::string_view reason) {
    std::string message(reason);
    message += ": \"";
    message += text;
    message += "\"; ";
    message += size_forms();
    return {std::nullopt, std::move(message)};
}

std::optional<int> unit_shift(std::string_view unit) {
    std::string lower;
    for (char c : unit) {
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    for (const auto& known : kUnits) {
        if (known.name == lower) {
            return known.shift;
        }
    }
    return std::nullopt;
}

}  // namespace

std::string_view size_forms() {
    return "a size is a number of bytes (\"1024\") or a number with a binary unit K, M, G, T "
           "(or KB, MB, GB, TB, or KiB, MiB, GiB, TiB, any case; all powers of 1024), such as "
           "\"300M\", \"1.5GB\" or \"512 MiB\"";
}

ParsedSize parse_size(std::string_view text) {
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && is_blank(text[begin])) {
        ++begin;
    }
    while (end > begin && is_blank(text[end - 1])) {
        --end;
    }
    const std::string_view body = text.substr(begin, end - begin);
    if (body.empty()) {
        return failure(text, "empty size");
    }
    if (body[0] == '-') {
        return failure(text, "a size cannot be negative");
    }

    std::size_t i = 0;
    Wide whole = 0;
    std::size_t whole_digits = 0;
    for (; i < body.size() && is_digit(body[i]); ++i, ++whole_digits) {
        whole = whole * 10 + static_cast<unsigned>(body[i] - '0');
        if (whole > UINT64_MAX) {
            return failure(text, "size too large (the most is 16 EiB)");
        }
    }
    std::uint64_t fraction = 0;
    std::uint64_t fraction_scale = 1;
    bool has_point = i < body.size() && body[i] == '.';
    std::size_t fraction_digits = 0;
    if (has_point) {
        for (++i; i < body.size() && is_digit(body[i]); ++i, ++fraction_digits) {
            if (fraction_digits < kMaxFractionDigits) {
                fraction = fraction * 10 + static_cast<unsigned>(body[i] - '0');
                fraction_scale *= 10;
            }
        }
    }
    if (whole_digits == 0 && fraction_digits == 0) {
        return failure(text, "not a size");
    }
    if (has_point && fraction_digits == 0) {
        return failure(text, "a decimal point needs digits after it");
    }
    while (i < body.size() && is_blank(body[i])) {
        ++i;
    }
    const std::string_view unit = body.substr(i);
    if (unit.find('.') != std::string_view::npos || (!unit.empty() && is_digit(unit[0]))) {
        return failure(text, "malformed number");
    }
    const auto shift = unit_shift(unit);
    if (!shift) {
        return failure(text, "unknown unit \"" + std::string(unit) + "\"");
    }
    if (*shift == 0 && fraction != 0) {
        return failure(text, "a number of bytes must be whole");
    }
    const Wide multiplier = Wide{1} << *shift;
    const Wide bytes = whole * multiplier + Wide{fraction} * multiplier / fraction_scale;
    if (bytes > UINT64_MAX) {
        return failure(text, "size too large (the most is 16 EiB)");
    }
    return {static_cast<std::uint64_t>(bytes), {}};
}

std::string format_size(std::uint64_t bytes) {
    static constexpr std::array<std::string_view, 7> kNames{"B",   "KiB", "MiB", "GiB",
                                                            "TiB", "PiB", "EiB"};
    std::size_t unit = 0;
    while (unit + 1 < kNames.size() && (bytes >> (10 * (unit + 1))) != 0) {
        ++unit;
    }
    const std::uint64_t whole = bytes >> (10 * unit);
    const std::uint64_t rest = bytes - (whole << (10 * unit));
    // One decimal, rounded down, so "1.5 GiB" never claims more than there is.
    const std::uint64_t tenth =
        unit == 0 ? 0 : static_cast<std::uint64_t>((Wide{rest} * 10) >> (10 * unit));
    std::string out = std::to_string(whole);
    if (tenth != 0) {
        out += '.';
        out += std::to_string(tenth);
    }
    out += ' ';
    out += kNames[unit];
    return out;
}

}  // namespace blackbox::base
