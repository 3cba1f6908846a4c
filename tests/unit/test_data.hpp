#pragma once

// Where the unit tests' recorded inputs are (tests/unit/data/). Only test_data.cpp is compiled
// with the source tree's path, so every other test compiles to the same command in any clone and
// a compiler cache shares it between clones.

#include <filesystem>

namespace blackbox::testing {

std::filesystem::path test_data();

// The symbolizer's probe object (tests/native_probe/), built with line information; its copy
// stripped of every symbol but the dynamic ones; and a stripped copy whose .gnu_debuglink names
// its symbols and lines in .debug/ beside it.
std::filesystem::path native_probe();
std::filesystem::path native_probe_stripped();
std::filesystem::path native_probe_debuglinked();

}  // namespace blackbox::testing
