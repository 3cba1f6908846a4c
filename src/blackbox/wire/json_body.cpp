#include <blackbox/wire/json_body.hpp>

namespace blackbox::wire {

bool nests_too_deep(std::string_view text) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxJsonDepth) {
                return true;
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

JsonBody parse_json_body(std::string_view body) {
    if (nests_too_deep(body)) {
        return {std::nullopt, "the body nests deeper than 32 levels"};
    }
    auto value = nlohmann::json::parse(body, nullptr, false);
    if (value.is_discarded()) {
        return {std::nullopt, "the body is not valid JSON"};
    }
    if (!value.is_object()) {
        return {std::nullopt, "the body must be a JSON object"};
    }
    return {std::move(value), {}};
}

}  // namespace blackbox::wire
