#pragma once

// HTML character references, both ways.

#include <string>
#include <string_view>

namespace blackbox::base {

// `text` with & < > " ' written as &amp; &lt; &gt; &#34; &#39; (as Jinja2's autoescape, which
// pytest-html 4 renders data-jsonblob with): safe in element content and in either kind of
// quoted attribute.
std::string html_escape(std::string_view text);

// Untrusted text (any bytes) for an HTML page: escaped as html_escape() after
// base::terminal_text() wrote its control characters, bidirectional overrides and bytes that
// are not UTF-8 visibly (lines kept), so the page holds no raw control character.
std::string html_text(std::string_view text);

// `text` with character references decoded: decimal and hexadecimal ones (a reference to
// NUL, a surrogate or past U+10FFFF gives U+FFFD) and the named ones report writers use
// (&amp; &lt; &gt; &quot; &apos; &nbsp;). Anything else, such as an unknown name or a bare
// '&', is kept as written. The exact inverse of html_escape().
std::string html_unescape(std::string_view text);

}  // namespace blackbox::base
