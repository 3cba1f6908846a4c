#pragma once

// A JSON array of flat objects written straight as text, field by field: rows sent to a database
// as one JSON parameter without building a JSON tree first. Text is escaped as nlohmann's dump()
// escapes it (UTF-8 kept as is); numbers are written so that they read back as the same value.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace blackbox::serve {

class JsonRowsText {
  public:
    // Starts the next object of the array.
    void begin_row();
    // A field of the current object. `key` is written as it is: a plain identifier.
    void field(std::string_view key, std::string_view text);
    void field(std::string_view key, std::int64_t number);
    // A finite number (the readers refuse every other).
    void field(std::string_view key, double number);
    template <typename T>
    void field(std::string_view key, const std::optional<T>& value) {
        if (value) {
            field(key, *value);
        } else {
            name(key);
            text_ += "null";
        }
    }
    // The array's text; the writer is empty afterwards.
    std::string finish();

  private:
    void name(std::string_view key);

    std::string text_;
    bool first_field_ = true;
};

}  // namespace blackbox::serve
