#pragma once

// One row of PostgreSQL's COPY, field by field, for pqxx::stream_to: each field a C string or
// null. stream_to escapes the text for COPY's text format and writes a null as \N; a row of N
// fields is an std::array, which it reads as a tuple. Numbers are written so that they read back
// as the same value.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

namespace blackbox::store {

template <std::size_t N>
class CopyRow {
  public:
    // `text` is not copied: it must outlive the row's use. It has no NUL (the readers refuse one).
    void add(const std::string& text) { fields_.at(next_++) = text.c_str(); }
    void add(std::string&&) = delete;  // a temporary's text would dangle
    void add(std::optional<std::string>&&) = delete;
    void add(std::int64_t number) { add_number(number); }
    // A finite number (the readers refuse every other), in its shortest round-trip text.
    void add(double number) { add_number(number); }
    template <typename T>
    void add(const std::optional<T>& value) {
        if (value) {
            add(*value);
        } else {
            fields_.at(next_++) = nullptr;
        }
    }

    // Every field, once N were added.
    const std::array<const char*, N>& fields() const { return fields_; }

  private:
    template <typename Number>
    void add_number(Number number) {
        auto& buffer = numbers_.at(next_);
        const auto end = fmt::format_to_n(buffer.data(), buffer.size() - 1, "{}", number).out;
        *end = '\0';
        fields_.at(next_++) = buffer.data();
    }

    std::array<const char*, N> fields_{};
    std::array<std::array<char, 32>, N> numbers_{};  // the longest: -9223372036854775808
    std::size_t next_ = 0;
};

}  // namespace blackbox::store
