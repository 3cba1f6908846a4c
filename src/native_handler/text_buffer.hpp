#pragma once

// Text formatted into memory given by the caller: no allocation, nothing but plain stores, so
// that signal handlers can build the lines they write with one write(2).

#include <cstddef>
#include <cstdint>

namespace blackbox::native_handler {

class TextBuffer {
  public:
    constexpr TextBuffer(char* storage, std::size_t capacity)
        : data_(storage), capacity_(capacity) {}

    // What does not fit is dropped (callers size the storage so that nothing is).
    void text(const char* text) {
        while (*text != '\0') {
            put(*text++);
        }
    }
    void text(const char* text, std::size_t size) {
        for (std::size_t i = 0; i < size; ++i) {
            put(text[i]);
        }
    }
    void unsigned_decimal(std::uint64_t value) {
        char digits[20];
        std::size_t count = 0;
        do {
            digits[count++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (count > 0) {
            put(digits[--count]);
        }
    }
    void decimal(std::int64_t value) {
        if (value < 0) {
            put('-');
            unsigned_decimal(0 - static_cast<std::uint64_t>(value));
        } else {
            unsigned_decimal(static_cast<std::uint64_t>(value));
        }
    }
    // "0x" and the lowercase digits, without leading zeros.
    void hex(std::uint64_t value) {
        static constexpr char kDigits[] = "0123456789abcdef";
        text("0x");
        int shift = 60;
        while (shift > 0 && ((value >> shift) & 0xf) == 0) {
            shift -= 4;
        }
        for (; shift >= 0; shift -= 4) {
            put(kDigits[(value >> shift) & 0xf]);
        }
    }

    const char* data() const { return data_; }
    std::size_t size() const { return size_; }
    void clear() { size_ = 0; }

  private:
    void put(char c) {
        if (size_ < capacity_) {
            data_[size_++] = c;
        }
    }

    char* data_;
    std::size_t capacity_;
    std::size_t size_ = 0;
};

}  // namespace blackbox::native_handler
