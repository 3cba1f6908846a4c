#pragma once

// The types a report's data block must have for its page to show it (docs/formats/
// report-html.md): the report's script reads every test's figures, each sample, each crash, and
// indexes one array by another, so a number that is an object, a column shorter than the others
// or an index past its array would make the page throw. The server checks an uploaded block
// whole before it stores it, reading it as a stream (its memory does not grow with the block):
// the members the script reads must have their documented types, the tests' columns one length,
// the samples' columns another, and every index must point inside its array. Members it does
// not know are left alone (a newer blackbox may add some).

#include <optional>
#include <string>
#include <string_view>

namespace blackbox::wire {

// nullopt when `block` (the decompressed JSON) is a data block the page can show; else the
// first problem, naming the member ("tests.peak_rss[3] must be a number or null"). Never throws.
std::optional<std::string> check_report_block(std::string_view block);

}  // namespace blackbox::wire
