#pragma once

// C++ symbol names made readable.

#include <string>
#include <string_view>

namespace blackbox::native {

// `name` demangled when it is a mangled C++ name ("_Z…"), else `name` unchanged.
std::string demangled(std::string_view name);

}  // namespace blackbox::native
