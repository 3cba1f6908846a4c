#pragma once

// Strict reading of a JSON object received over HTTP: every field typed and bounded. The first
// problem is kept as a message for a 4xx answer and later reads return defaults, so a handler
// reads all its fields straight through and checks ok() once.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace blackbox::wire {

// The longest text field accepted (pytest-monitor's widest column, ITEM_PATH, is 4096).
inline constexpr std::size_t kMaxTextField = 4096;

// The longest free text accepted (a crash's traceback, a run's description).
inline constexpr std::size_t kMaxLongText = 64 * 1024;

// Whether `text` is a hash as pytest-monitor's client and ours send them: 1 to 64 characters of
// [0-9A-Za-z_-]. Paths and SQL never pass.
bool is_hash(std::string_view text);

class FieldReader {
  public:
    // `object` must outlive the reader. A value that is not an object fails every read.
    FieldReader(const nlohmann::json& object, std::string what);
    FieldReader(nlohmann::json&& temporary, std::string what) = delete;  // would dangle

    // A required string of at most `max` bytes, without NUL characters (as every text read).
    std::string text(std::string_view key, std::size_t max = kMaxTextField);
    // A string of at most `max` bytes, or nullopt for null or an absent key.
    std::optional<std::string> optional_text(std::string_view key, std::size_t max = kMaxTextField);
    // A required is_hash() string.
    std::string hash(std::string_view key);
    // A required integer (a JSON number without a fraction).
    std::int64_t integer(std::string_view key);
    std::optional<std::int64_t> optional_integer(std::string_view key);
    // A required number, integral or not (floats are rounded).
    std::int64_t rounded(std::string_view key);
    // A finite number, or nullopt for null or an absent key.
    std::optional<double> optional_number(std::string_view key);
    // A required boolean.
    bool boolean(std::string_view key);
    // The JSON value under `key` when it has the kind `kind` ("object" or "array"), else null.
    const nlohmann::json* nested(std::string_view key, nlohmann::json::value_t kind);

    bool ok() const { return error_.empty(); }
    // The first problem: "<what>: <key> must be ...".
    const std::string& error() const { return error_; }
    // Records a problem found by the caller (the first one wins).
    void fail(std::string_view key, std::string_view problem);
    // Takes the problem of a reader of a nested value, if it has one and this one has none.
    void adopt(const FieldReader& inner);

  private:
    const nlohmann::json* find(std::string_view key, bool required);

    const nlohmann::json& object_;
    std::string what_;
    std::string error_;
};

}  // namespace blackbox::wire
