#pragma once

// The typed fields of a run directory's JSON documents, read leniently: a member that is
// missing or not of its type is absent.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace blackbox::rundir {

inline std::optional<int> int_at(const nlohmann::json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_number_integer() ? std::optional(it->get<int>())
                                                         : std::nullopt;
}

inline std::optional<std::int64_t> int64_at(const nlohmann::json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_number_integer() ? std::optional(it->get<std::int64_t>())
                                                         : std::nullopt;
}

inline std::optional<std::string> string_at(const nlohmann::json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? std::optional(it->get<std::string>())
                                                 : std::nullopt;
}

inline nlohmann::json optional_json(const std::optional<int>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace blackbox::rundir
