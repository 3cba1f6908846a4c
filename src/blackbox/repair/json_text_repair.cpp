#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include <blackbox/base/utf8_text.hpp>
#include <blackbox/repair/json_text_repair.hpp>

namespace blackbox::repair {

using base::valid_utf8;

namespace {

std::optional<std::uint32_t> hex4(std::string_view text, std::size_t at) {
    if (at + 4 > text.size()) {
        return std::nullopt;
    }
    std::uint32_t value = 0;
    for (std::size_t i = at; i < at + 4; ++i) {
        char c = text[i];
        std::uint32_t digit = 0;
        if (c >= '0' && c <= '9') {
            digit = static_cast<std::uint32_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = static_cast<std::uint32_t>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            digit = static_cast<std::uint32_t>(c - 'A' + 10);
        } else {
            return std::nullopt;
        }
        value = value * 16 + digit;
    }
    return value;
}

bool is_high_surrogate(std::uint32_t code) {
    return code >= 0xD800 && code <= 0xDBFF;
}

bool is_low_surrogate(std::uint32_t code) {
    return code >= 0xDC00 && code <= 0xDFFF;
}

// Copies the escape at text[at] == '\\' inside a string; returns how many bytes it used.
std::size_t copy_escape(std::string_view text, std::size_t at, std::string& out) {
    if (at + 1 >= text.size()) {
        out += "\\\\";
        return 1;
    }
    char kind = text[at + 1];
    if (kind != 'u') {
        if (std::string_view("\"\\/bfnrt").find(kind) == std::string_view::npos) {
            out += "\\\\";  // not an escape: the backslash stands for itself
            return 1;
        }
        out.append(text.substr(at, 2));
        return 2;
    }
    auto code = hex4(text, at + 2);
    if (!code) {
        out += "\\\\";
        return 1;
    }
    if (is_high_surrogate(*code) && text.substr(at + 6, 2) == "\\u") {
        auto low = hex4(text, at + 8);
        if (low && is_low_surrogate(*low)) {
            out.append(text.substr(at, 12));
            return 12;
        }
    }
    if (is_high_surrogate(*code) || is_low_surrogate(*code)) {
        out += "\\ufffd";
    } else {
        out.append(text.substr(at, 6));
    }
    return 6;
}

void escape_control(char c, std::string& out) {
    switch (c) {
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    }
}

}  // namespace

std::string repair_json_text(std::string_view input) {
    const std::string text = valid_utf8(input);
    std::string out;
    out.reserve(text.size());
    bool in_string = false;
    std::size_t at = 0;
    while (at < text.size()) {
        char c = text[at];
        if (in_string) {
            if (c == '"') {
                in_string = false;
                out += c;
                ++at;
            } else if (c == '\\') {
                at += copy_escape(text, at, out);
            } else if (static_cast<unsigned char>(c) < 0x20) {
                escape_control(c, out);
                ++at;
            } else {
                out += c;
                ++at;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
            out += c;
            ++at;
            continue;
        }
        std::string_view rest = std::string_view(text).substr(at);
        bool replaced = false;
        for (std::string_view token : {"-Infinity", "Infinity", "NaN"}) {
            if (rest.substr(0, token.size()) == token) {
                out += "null";
                at += token.size();
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            out += c;
            ++at;
        }
    }
    return out;
}

}  // namespace blackbox::repair
