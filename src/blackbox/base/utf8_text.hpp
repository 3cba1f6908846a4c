#pragma once

// Text from untrusted sources (node ids, tracebacks, report files) made safe to re-encode.

#include <string>
#include <string_view>

namespace blackbox::base {

// `text` with each broken byte sequence that is not valid UTF-8 (including overlong forms,
// encoded surrogates and code points past U+10FFFF) replaced by one U+FFFD; valid UTF-8 comes
// back unchanged.
std::string valid_utf8(std::string_view text);

// Whether `text` is valid UTF-8 as valid_utf8() judges it.
bool is_valid_utf8(std::string_view text);

// The text form of a name that is bytes to the kernel (a node id, a file name): valid UTF-8
// unchanged, and each byte that is not part of a valid sequence as "\xNN" (two lower-case hex
// digits, as Python's "backslashreplace" decodes). Valid UTF-8 itself, and two names that
// differ in their bytes keep different texts (docs/formats/journal.md, "Names").
std::string name_text(std::string_view bytes);

// Valid UTF-8 that XML 1.0 accepts: control characters other than tab, LF and CR become
// "#xNN", as pytest's junitxml writes them.
std::string xml_safe_text(std::string_view text);

}  // namespace blackbox::base
