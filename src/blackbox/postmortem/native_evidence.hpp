#pragma once

// The native stacks of a dead process: the last record its native handler wrote
// (native/<stem>.txt, docs/formats/native-stacks.md), named after the death; else, on Python
// 3.14 and later, the C stack faulthandler printed itself.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/native/symbolizer.hpp>

namespace blackbox::postmortem {

struct NativeEvidence {
    native::NativeStacks stacks;
    std::string source;  // "handler" (ours) or "faulthandler" (Python's own C stack)
};

// The last record of the file at `path` with at least one thread, named; else the C stack in
// faulthandler's `traceback` text. nullopt when there is neither; a file that cannot be read
// adds a warning.
std::optional<NativeEvidence> read_native_evidence(const std::filesystem::path& path,
                                                   const std::optional<std::string>& traceback,
                                                   std::vector<std::string>& warnings);

}  // namespace blackbox::postmortem
