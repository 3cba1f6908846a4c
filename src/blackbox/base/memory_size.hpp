#pragma once

// Memory sizes as users write them on the command line and in markers: "300M", "512MiB",
// "1.5GB", "100 MB", "2g", "1024". Units are binary and case-insensitive: K, KB and KiB all mean
// 1024 bytes (likewise M, G, T, P), as pytest-memray reads them; "B" or no unit means bytes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace blackbox::base {

// The outcome of parse_size: the bytes, or a message for the user.
struct ParsedSize {
    std::optional<std::uint64_t> bytes;  // set on success
    std::string error;                   // on failure: what is wrong, and the accepted forms
};

// Parses `text`: blanks, a decimal number ("2", "1.5", ".5"), optional blanks, an optional
// unit, blanks. Fractions of a byte are dropped ("0.1K" is 102); a plain number of bytes must be
// whole. Never throws: a negative number, an empty text, an unknown unit ("12X"), a malformed
// number ("1.5.2G") or a size beyond 2^64-1 bytes give an error naming the accepted forms.
ParsedSize parse_size(std::string_view text);

// The accepted forms, as a sentence for help texts and error messages.
std::string_view size_forms();

// `bytes` for people, in the largest binary unit that keeps at least 1: "64 MiB", "1.5 GiB",
// "300 B"; at most one decimal, dropped when it is 0.
std::string format_size(std::uint64_t bytes);

}  // namespace blackbox::base
