#pragma once

// Signal numbers and their names ("SIGSEGV"), both ways.

#include <optional>
#include <string>
#include <string_view>

namespace blackbox::base {

// "SIGSEGV" for 11; "SIG<n>" for a number without a name here.
std::string signal_name(int signal);

// 11 for "SIGSEGV" (or "SEGV"); nullopt for an unknown name.
std::optional<int> signal_number(std::string_view name);

}  // namespace blackbox::base
