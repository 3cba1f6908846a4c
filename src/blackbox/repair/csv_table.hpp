#pragma once

// Comma-separated values as RFC 4180 and Python's csv module (QUOTE_MINIMAL) write them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blackbox::repair {

using CsvRow = std::vector<std::string>;

// All records of `text`, the first being the header. Quoted fields may hold commas, quotes
// (doubled) and line breaks. nullopt when a quoted field is never closed (a torn file).
std::optional<std::vector<CsvRow>> parse_csv(std::string_view text);

// One record, fields quoted only when they hold a comma, a quote, CR or LF, ended by
// `line_end`.
std::string format_csv_row(const CsvRow& row, std::string_view line_end);

// The line ending the file uses ("\r\n" as Python's csv writer, or "\n"); "\r\n" for a file
// without line breaks.
std::string_view csv_line_end(std::string_view text);

}  // namespace blackbox::repair
