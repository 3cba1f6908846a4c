#pragma once

// Where the unit tests' recorded inputs are (tests/unit/data/). Only test_data.cpp is compiled
// with the source tree's path, so every other test compiles to the same command in any clone and
// a compiler cache shares it between clones.

#include <filesystem>

namespace blackbox::testing {

std::filesystem::path test_data();

}  // namespace blackbox::testing
