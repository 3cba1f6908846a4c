#pragma once

// A request body read as JSON, safely: nesting deeper than kMaxJsonDepth is refused before the
// (recursive) parser sees it, so no body can exhaust the server's stack.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace blackbox::wire {

inline constexpr int kMaxJsonDepth = 32;

struct JsonBody {
    std::optional<nlohmann::json> value;
    std::string error;  // why there is no value
};

// Whether the brackets outside strings nest deeper than kMaxJsonDepth.
bool nests_too_deep(std::string_view text);

// The body's JSON object. Never throws.
JsonBody parse_json_body(std::string_view body);

}  // namespace blackbox::wire
