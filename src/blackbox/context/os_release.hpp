#pragma once

// os-release(5): the distribution's identification, /etc/os-release or /usr/lib/os-release.
// Absent on Android (Termux included): the caller records nulls then.

#include <map>
#include <string>
#include <string_view>

namespace blackbox::context {

// The files os-release(5) says to read, in order: the first that exists wins.
inline constexpr const char* kOsReleasePaths[] = {"/etc/os-release", "/usr/lib/os-release"};

// The assignments of an os-release file, KEY -> unquoted value. Values follow the shell quoting
// the format allows ('single', "double" with \" \\ \$ \` escapes, unquoted with \ escapes).
// Blank lines, comments and malformed lines are skipped; a repeated key keeps its last value.
// Never throws.
std::map<std::string, std::string> parse_os_release(std::string_view text);

}  // namespace blackbox::context
