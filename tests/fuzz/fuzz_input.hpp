#pragma once

// What the fuzz targets share: libFuzzer's bytes as text, an input cut into named sections (one
// input, several files), and a check that aborts with a message (libFuzzer then keeps the input
// as a crash).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace blackbox::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// A broken invariant: a finding, as an abort that libFuzzer records with its input.
[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
}

inline void check(bool condition, const char* what) {
    if (!condition) {
        fail(what);
    }
}

// An input made of sections: the text before the first marker line is the section "", and each
// line "@@ <name>" starts the section <name> (its lines follow). The corpora are written so.
inline std::vector<std::pair<std::string, std::string_view>> sections(std::string_view input) {
    std::vector<std::pair<std::string, std::string_view>> parts;
    std::string name;
    std::size_t begin = 0, at = 0;
    auto marker_at = [&input](std::size_t pos) {
        return (pos == 0 || input[pos - 1] == '\n') && input.substr(pos, 3) == "@@ ";
    };
    while (at <= input.size()) {
        std::size_t next = input.find("@@ ", at);
        while (next != std::string_view::npos && !marker_at(next)) {
            next = input.find("@@ ", next + 1);
        }
        if (next == std::string_view::npos) {
            parts.emplace_back(name, input.substr(begin));
            break;
        }
        parts.emplace_back(name, input.substr(begin, next - begin));
        std::size_t eol = input.find('\n', next);
        std::size_t name_end = eol == std::string_view::npos ? input.size() : eol;
        name = std::string(input.substr(next + 3, name_end - next - 3));
        begin = at = eol == std::string_view::npos ? input.size() : eol + 1;
        if (eol == std::string_view::npos) {
            parts.emplace_back(name, std::string_view());
            break;
        }
    }
    return parts;
}

}  // namespace blackbox::fuzz
