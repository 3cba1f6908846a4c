#pragma once

// What a repair made of one report's text. Repairs are pure functions from the old text (or
// none, for a missing file) to a Patch; the caller writes it (atomic_rewrite.hpp).

#include <cstddef>
#include <optional>
#include <string>

namespace blackbox::repair {

struct Patch {
    std::optional<std::string> text;  // the new content; nullopt when nothing changes
    std::size_t added = 0;            // crashed tests added as new entries
    std::size_t marked = 0;           // existing entries of crashed tests marked as crashed
    std::size_t already = 0;          // crashed tests the report already showed as failed
    std::string error;                // non-empty: the report could not be understood; the
                                      // file must be left as it is

    static Patch failure(std::string message) {
        Patch patch;
        patch.error = std::move(message);
        return patch;
    }
};

}  // namespace blackbox::repair
