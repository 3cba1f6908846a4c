#pragma once

// Scanning line-oriented text from the kernel and /etc (/proc/<pid>/status, /proc/meminfo,
// /proc/cpuinfo, cgroup files, /etc/os-release): lines, blank-separated words, key-value fields
// and strict numbers. Locale-independent; never throw; malformed input gives nullopt.

#include <cstdint>
#include <optional>
#include <string_view>

namespace blackbox::base {

// `text` without leading and trailing blanks (space, tab, '\r', '\n').
std::string_view trim(std::string_view text);

// Splits off the next line (up to '\n', without it) from `text`; false when `text` is empty. A
// missing final newline still ends a line.
bool next_line(std::string_view& text, std::string_view& line);

// Splits off the next blank-separated word from `text`; false when only blanks remain.
bool next_word(std::string_view& text, std::string_view& word);

// "key<blanks>: value" split at the first ':' into trimmed key and value; nullopt without ':'.
struct KeyValue {
    std::string_view key;
    std::string_view value;
};
std::optional<KeyValue> split_key_value(std::string_view line);

// For a "key value" or "Key:  value unit" line: the value of `key` (trimmed, up to the end of
// the line), when `line` starts with exactly `key` followed by `separator`.
std::optional<std::string_view> value_after(std::string_view line, std::string_view key,
                                            char separator);

// A non-negative decimal integer ("2048"), or nullopt (empty, other characters, overflow).
std::optional<std::uint64_t> parse_u64(std::string_view text);

// Hexadecimal digits without a prefix or sign ("7f5a3b1e2f3d", "00026000", either case), as
// /proc/<pid>/maps writes addresses and offsets; nullopt when empty, other characters or overflow.
std::optional<std::uint64_t> parse_hex_u64(std::string_view text);

// A non-negative decimal number ("2600.000", "38"), or nullopt. Not strtod: no locale, no sign,
// no exponent, digits on both sides of a '.'.
std::optional<double> parse_decimal(std::string_view text);

// "1748 kB" (the kernel's kB are KiB) in bytes, or nullopt (other unit, malformed, overflow).
std::optional<std::uint64_t> parse_kib(std::string_view value);

}  // namespace blackbox::base
