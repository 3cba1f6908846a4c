#pragma once

// A directory of its own for one test, removed afterwards.

#include "../scratch_dir.hpp"

namespace blackbox::store {

using ScratchDirectory = blackbox::testing::ScratchDir;

}  // namespace blackbox::store
