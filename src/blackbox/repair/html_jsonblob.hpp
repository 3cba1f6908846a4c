#pragma once

// pytest-html 4's data: the whole report as JSON in the data-jsonblob attribute of
// <div id="data-container">, HTML-escaped (Jinja2 autoescape: &#34; for quotes). The page's
// script and pytest_html_merger both read it with a strict JSON parser after unescaping, so
// one bad byte (a raw control character, invalid UTF-8, a NaN from Python's json.dumps)
// breaks the page and the merge.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace blackbox::repair {

struct JsonBlob {
    std::size_t value_begin = 0;  // the attribute's raw value in the page, without quotes
    std::size_t value_end = 0;
    std::string json;  // the value with character references decoded
};

// The data-jsonblob attribute of the first element that has one, found with the tag scanner
// (html_tags.hpp); nullopt when the page has none (not a pytest-html 4 report).
std::optional<JsonBlob> find_jsonblob(std::string_view html);

// The blob's JSON after repair_json_text(), parsed with keys in their order; nullopt (with
// `error` set) when even the repaired text is not JSON.
std::optional<nlohmann::ordered_json> parse_jsonblob(const JsonBlob& blob, std::string& error);

// `html` with the blob's value replaced by `json`, HTML-escaped (& < > " ').
std::string replace_jsonblob(std::string_view html, const JsonBlob& blob, std::string_view json);

enum class SanitizeOutcome {
    unchanged,    // the blob was valid JSON already
    sanitized,    // the blob was repaired; `text` holds the new page
    no_jsonblob,  // the page has no data-jsonblob: nothing to do
    invalid,      // the blob is not JSON even after repair; `error` says why; leave the file
};

struct Sanitized {
    SanitizeOutcome outcome = SanitizeOutcome::unchanged;
    std::string text;
    std::string error;
};

// Makes the page's blob valid JSON after unescaping (repair_json_text, then re-escaped), and
// changes nothing else in the page. A blob that is valid already is left byte for byte, so
// sanitizing twice gives the same file.
Sanitized sanitize_jsonblob(std::string_view html);

}  // namespace blackbox::repair
