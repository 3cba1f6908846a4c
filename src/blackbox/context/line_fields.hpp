#pragma once

// The small lexical pieces shared by the parsers of line-oriented kernel and /etc files
// (/proc/cpuinfo, /proc/meminfo, /etc/os-release). Locale-independent; never throw.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace blackbox::context {

// `text` without leading and trailing spaces, tabs, carriage returns and newlines.
std::string_view trim(std::string_view text);

// The lines of `text` without their '\n'; a missing final newline still ends a line.
std::vector<std::string_view> split_lines(std::string_view text);

// "key<blanks>: value" split at the first ':' into trimmed key and value; nullopt without ':'.
struct KeyValue {
    std::string_view key;
    std::string_view value;
};
std::optional<KeyValue> split_key_value(std::string_view line);

// A non-negative decimal integer ("2048"), or nullopt (empty, other characters, overflow).
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

// A non-negative decimal number ("2600.000", "38"), or nullopt. Not strtod: no locale, no
// exponent, no sign.
std::optional<double> parse_decimal(std::string_view text);

}  // namespace blackbox::context
