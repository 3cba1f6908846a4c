#pragma once

// `blackbox history`'s table: one line per session, newest last: wall and CPU time, the peak of
// the test's process, what the test added to it (its peak over its start: the figure compare
// judges) and what it kept.

#include <cstdint>
#include <string>

#include <blackbox/compare/test_history.hpp>

namespace blackbox::compare {

std::string history_text(const TestHistory& history);

// A signed memory amount for people: "+1.5 MiB", "-300 B", "0 B".
std::string format_signed_size(std::int64_t bytes);

}  // namespace blackbox::compare
