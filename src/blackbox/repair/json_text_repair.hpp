#pragma once

// Lexical repairs for JSON text written by a careless or interrupted writer, so that strict
// parsers (a browser's JSON.parse, Python's json.loads, nlohmann) accept it. The text is not
// parsed: only what stands between tokens and inside strings is fixed.

#include <string>
#include <string_view>

namespace blackbox::repair {

// Returns `text` with
// - byte sequences that are not UTF-8 replaced by U+FFFD,
// - raw control characters inside strings escaped (\n, \t, …, \u001b),
// - a backslash that starts no valid escape doubled (so it is read as itself),
// - \u escapes of lone UTF-16 surrogates replaced by \ufffd,
// - NaN, Infinity and -Infinity outside strings (Python's json.dumps writes them) replaced
//   by null.
// Valid JSON without NaN or lone surrogates comes back byte for byte, and so does any output
// of this function (repairing twice changes nothing more).
std::string repair_json_text(std::string_view text);

}  // namespace blackbox::repair
