#include <blackbox/base/base64.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/json_text.hpp>
#include <blackbox/base/utf8_text.hpp>

namespace blackbox::base {

std::string json_text(const nlohmann::json& value, int indent, Ascii ascii) {
    return value.dump(indent, ' ', ascii == Ascii::yes, nlohmann::json::error_handler_t::replace);
}

std::string json_text(const nlohmann::ordered_json& value, int indent, Ascii ascii) {
    return value.dump(indent, ' ', ascii == Ascii::yes,
                      nlohmann::ordered_json::error_handler_t::replace);
}

void put_name(nlohmann::json& object, const std::string& key, std::string_view bytes) {
    object[key] = name_text(bytes);
    if (!is_valid_utf8(bytes)) {
        object[key + "_bytes"] = base64(bytes);
    }
}

void put_names(nlohmann::json& object, const std::string& key,
               const std::vector<std::string>& names) {
    auto texts = nlohmann::json::array();
    bool all_valid = true;
    for (const auto& name : names) {
        texts.push_back(name_text(name));
        all_valid = all_valid && is_valid_utf8(name);
    }
    object[key] = std::move(texts);
    if (!all_valid) {
        auto encoded = nlohmann::json::array();
        for (const auto& name : names) {
            encoded.push_back(base64(name));
        }
        object[key + "_bytes"] = std::move(encoded);
    }
}

std::optional<std::string> name_at(const nlohmann::json& object, const std::string& key) {
    if (!object.is_object()) {
        return std::nullopt;
    }
    if (auto encoded = object.find(key + "_bytes");
        encoded != object.end() && encoded->is_string()) {
        try {
            return unbase64(encoded->get<std::string>());
        } catch (const Error&) {
            // Not base64: the text form is all there is.
        }
    }
    if (auto text = object.find(key); text != object.end() && text->is_string()) {
        return text->get<std::string>();
    }
    return std::nullopt;
}

}  // namespace blackbox::base
