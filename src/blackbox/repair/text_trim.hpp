#pragma once

// Whitespace trimming, as Python's str.strip() does it for ASCII whitespace.

#include <string_view>

namespace blackbox::repair {

// `text` without leading and trailing spaces, tabs, CR, LF, FF and VT. A view into `text`.
std::string_view trimmed(std::string_view text);

}  // namespace blackbox::repair
