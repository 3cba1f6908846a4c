#pragma once

// Text from untrusted sources (node ids, tracebacks, report files) made safe to re-encode.

#include <string>
#include <string_view>

namespace blackbox::base {

// `text` with each broken byte sequence that is not valid UTF-8 (including overlong forms,
// encoded surrogates and code points past U+10FFFF) replaced by one U+FFFD; valid UTF-8 comes
// back unchanged.
std::string valid_utf8(std::string_view text);

// Valid UTF-8 that XML 1.0 accepts: control characters other than tab, LF and CR become
// "#xNN", as pytest's junitxml writes them.
std::string xml_safe_text(std::string_view text);

}  // namespace blackbox::base
