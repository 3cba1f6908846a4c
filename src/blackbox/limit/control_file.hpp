#pragma once

// The small lexical pieces of cgroup control files, shared by the v1 and v2 code. Never throw
// (but allocation).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace blackbox::limit {

// "<directory>/<name>", with exactly one '/' between them.
std::string control_file(std::string_view directory, std::string_view name);

// The number in a control file holding one ("67108864\n"); nullopt for "max", an empty text or
// anything else that is not a non-negative decimal integer fitting 64 bits.
std::optional<std::uint64_t> parse_control_number(std::string_view text);

// Whether a blank-separated list ("cpu io memory\n", a cgroup.controllers) holds `word`.
bool lists_word(std::string_view text, std::string_view word);

}  // namespace blackbox::limit
