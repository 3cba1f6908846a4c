#pragma once

// Untrusted text made safe to print on a terminal: node ids, captured output, tracebacks, file
// names and messages may hold escape sequences that change the window title, clear the screen,
// move the cursor or hide what follows. Everything printed to a terminal that did not come
// from us goes through terminal_text().

#include <string>
#include <string_view>

namespace blackbox::base {

enum class Newlines {
    escape,  // one line: '\n', '\r' and '\t' are escaped too
    keep,    // a block of lines: '\n', '\t' and "\r\n" stay
};

// `text` with every byte sequence a terminal would act on written visibly: C0 controls and DEL
// as "\xNN" ("\n", "\r", "\t" by name), C1 controls (U+0080..U+009F) and the bidirectional
// overrides and isolates (U+202A..U+202E, U+2066..U+2069) as "\uNNNN", and bytes that are not
// UTF-8 as "\xNN" (as base::name_text). Printable text, valid UTF-8, comes back unchanged.
std::string terminal_text(std::string_view text, Newlines newlines = Newlines::escape);

}  // namespace blackbox::base
