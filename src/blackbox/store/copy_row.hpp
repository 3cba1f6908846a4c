#pragma once

// One row of PostgreSQL's COPY, field by field, for pqxx::stream_to: each field a C string or
// null. stream_to escapes the text for COPY's text format and writes a null as \N; a row of N
// fields is an std::array, which it reads as a tuple. Numbers are written so that they read back
// as the same value. A row is put by row_values.hpp's functions.

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include <blackbox/store/row_values.hpp>

namespace blackbox::store {

template <std::size_t N>
class CopyRow final : public ValueSink {
  public:
    void null() override { fields_.at(next_++) = nullptr; }
    void integer(std::int64_t value) override { add_number(value); }
    // A finite number (the readers refuse every other), in its shortest round-trip text.
    void real(double value) override { add_number(value); }
    // Not copied: `value` must outlive the row's use (a test's or a metric's own field). It has
    // no NUL (the readers refuse one).
    void text(const std::string& value) override { fields_.at(next_++) = value.c_str(); }

    // Every field, once N were put.
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
