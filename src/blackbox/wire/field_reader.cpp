#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include <blackbox/wire/field_reader.hpp>

namespace blackbox::wire {

bool is_hash(std::string_view text) {
    return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '_' || c == '-';
    });
}

FieldReader::FieldReader(const nlohmann::json& object, std::string what)
    : object_(object), what_(std::move(what)) {
    if (!object_.is_object()) {
        error_ = fmt::format("{}: the body must be a JSON object", what_);
    }
}

void FieldReader::fail(std::string_view key, std::string_view problem) {
    if (error_.empty()) {
        error_ = fmt::format("{}: {} {}", what_, key, problem);
    }
}

void FieldReader::adopt(const FieldReader& inner) {
    if (error_.empty() && !inner.ok()) {
        error_ = fmt::format("{}: {}", what_, inner.error());
    }
}

const nlohmann::json* FieldReader::find(std::string_view key, bool required) {
    if (!ok()) {
        return nullptr;
    }
    auto found = object_.find(key);
    if (found == object_.end() || found->is_null()) {
        if (required) {
            fail(key, "is missing");
        }
        return nullptr;
    }
    return &*found;
}

std::string FieldReader::text(std::string_view key, std::size_t max) {
    const auto* value = find(key, true);
    if (value == nullptr) {
        return {};
    }
    auto text = optional_text(key, max);
    return text ? *text : std::string();
}

std::optional<std::string> FieldReader::optional_text(std::string_view key, std::size_t max) {
    const auto* value = find(key, false);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (!value->is_string()) {
        fail(key, "must be a string");
        return std::nullopt;
    }
    const auto& text = value->get_ref<const std::string&>();
    if (text.size() > max) {
        fail(key, fmt::format("is longer than {} bytes", max));
        return std::nullopt;
    }
    if (text.find('\0') != std::string::npos) {
        // PostgreSQL's text cannot hold it (libpq would cut the value there): refused on every
        // backend, so both store the same.
        fail(key, "must not contain NUL characters");
        return std::nullopt;
    }
    return text;
}

std::string FieldReader::hash(std::string_view key) {
    auto value = text(key, 64);
    if (ok() && !is_hash(value)) {
        fail(key, "must be 1 to 64 characters of [0-9A-Za-z_-]");
    }
    return value;
}

std::int64_t FieldReader::integer(std::string_view key) {
    if (find(key, true) == nullptr) {
        return 0;
    }
    auto value = optional_integer(key);
    return value ? *value : 0;
}

std::optional<std::int64_t> FieldReader::optional_integer(std::string_view key) {
    const auto* value = find(key, false);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (value->is_number_unsigned()) {
        auto number = value->get<std::uint64_t>();
        if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            fail(key, "is out of range");
            return std::nullopt;
        }
        return static_cast<std::int64_t>(number);
    }
    if (!value->is_number_integer()) {
        fail(key, "must be an integer");
        return std::nullopt;
    }
    return value->get<std::int64_t>();
}

std::int64_t FieldReader::rounded(std::string_view key) {
    const auto* value = find(key, true);
    if (value == nullptr) {
        return 0;
    }
    if (value->is_number_float()) {
        double number = value->get<double>();
        if (!std::isfinite(number) || std::fabs(number) > 9e15) {
            fail(key, "is out of range");
            return 0;
        }
        return static_cast<std::int64_t>(std::llround(number));
    }
    return integer(key);
}

std::optional<double> FieldReader::optional_number(std::string_view key) {
    const auto* value = find(key, false);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (!value->is_number()) {
        fail(key, "must be a number");
        return std::nullopt;
    }
    double number = value->get<double>();
    if (!std::isfinite(number)) {
        fail(key, "must be finite");
        return std::nullopt;
    }
    return number;
}

bool FieldReader::boolean(std::string_view key) {
    const auto* value = find(key, true);
    if (value == nullptr) {
        return false;
    }
    if (!value->is_boolean()) {
        fail(key, "must be true or false");
        return false;
    }
    return value->get<bool>();
}

const nlohmann::json* FieldReader::nested(std::string_view key, nlohmann::json::value_t kind) {
    const auto* value = find(key, false);
    if (value == nullptr) {
        return nullptr;
    }
    if (value->type() != kind) {
        fail(key,
             kind == nlohmann::json::value_t::array ? "must be an array" : "must be an object");
        return nullptr;
    }
    return value;
}

}  // namespace blackbox::wire
