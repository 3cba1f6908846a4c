#pragma once

// The median: the baseline of a test over several sessions, robust to one noisy session.

#include <optional>
#include <vector>

namespace blackbox::compare {

// The middle value, or the mean of the two middle values for an even count; empty for none.
std::optional<double> median(std::vector<double> values);

}  // namespace blackbox::compare
