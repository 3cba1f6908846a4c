#include <string>

#include <blackbox/base/base64.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/journal/record.hpp>

namespace blackbox::journal {

std::optional<std::string_view> Record::string(std::string_view key) const noexcept {
    std::string_view value;
    if (object_.at_key(key).get_string().get(value) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::int64_t> Record::integer(std::string_view key) const noexcept {
    std::int64_t value = 0;
    if (object_.at_key(key).get_int64().get(value) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::int64_t> Record::figure(std::string_view key) const noexcept {
    auto value = integer(key);
    return value && *value >= 0 && *value <= kMaxFigure ? value : std::nullopt;
}

std::optional<std::int64_t> Record::signed_figure(std::string_view key) const noexcept {
    auto value = integer(key);
    return value && *value >= -kMaxFigure && *value <= kMaxFigure ? value : std::nullopt;
}

std::optional<double> Record::number(std::string_view key) const noexcept {
    auto element = object_.at_key(key);
    double value = 0;
    if (element.get_double().get(value) == simdjson::SUCCESS) {
        return value;
    }
    std::int64_t integer_value = 0;
    if (element.get_int64().get(integer_value) == simdjson::SUCCESS) {
        return static_cast<double>(integer_value);
    }
    return std::nullopt;
}

std::optional<bool> Record::boolean(std::string_view key) const noexcept {
    bool value = false;
    if (object_.at_key(key).get_bool().get(value) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    return value;
}

bool Record::has(std::string_view key) const noexcept {
    return object_.at_key(key).error() == simdjson::SUCCESS;
}

std::optional<std::string> Record::name(std::string_view key) const {
    std::string bytes_key(key);
    bytes_key += "_bytes";
    if (auto encoded = string(bytes_key)) {
        try {
            return base::unbase64(*encoded);
        } catch (const Error&) {
            // Not base64: the text form below is all there is.
        }
    }
    if (auto text = string(key)) {
        return std::string(*text);
    }
    return std::nullopt;
}

nlohmann::json Record::json(std::string_view key) const {
    simdjson::dom::element element;
    if (object_.at_key(key).get(element) != simdjson::SUCCESS) {
        return nullptr;
    }
    return nlohmann::json::parse(simdjson::to_string(element), nullptr, false);
}

nlohmann::json Record::to_json() const {
    return nlohmann::json::parse(simdjson::to_string(object_), nullptr, false);
}

}  // namespace blackbox::journal
