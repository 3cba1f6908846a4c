#include <fmt/format.h>

#include <blackbox/base/utf8_text.hpp>

namespace blackbox::base {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// The length of the valid UTF-8 sequence starting at `at`, or 0 when it is not one.
std::size_t sequence_length(std::string_view text, std::size_t at) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char lead = byte(at);
    if (lead < 0x80) {
        return 1;
    }
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;   // no overlong forms
        high = lead == 0xED ? 0x9F : 0xBF;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;  // nothing past U+10FFFF
    } else {
        return 0;
    }
    if (at + length > text.size() || byte(at + 1) < low || byte(at + 1) > high) {
        return 0;
    }
    for (std::size_t i = 2; i < length; ++i) {
        if ((byte(at + i) & 0xC0) != 0x80) {
            return 0;
        }
    }
    return length;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    while (at < text.size()) {
        auto length = sequence_length(text, at);
        if (length == 0) {
            out += kReplacement;
            ++at;
            // Continuation bytes that belonged to the broken sequence go with it.
            while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80 &&
                   sequence_length(text, at) == 0) {
                ++at;
            }
            continue;
        }
        out.append(text.substr(at, length));
        at += length;
    }
    return out;
}

bool is_valid_utf8(std::string_view text) {
    std::size_t at = 0;
    while (at < text.size()) {
        auto length = sequence_length(text, at);
        if (length == 0) {
            return false;
        }
        at += length;
    }
    return true;
}

std::string name_text(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t at = 0;
    while (at < bytes.size()) {
        auto length = sequence_length(bytes, at);
        if (length == 0) {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(bytes[at]));
            ++at;
            continue;
        }
        out.append(bytes.substr(at, length));
        at += length;
    }
    return out;
}

std::string xml_safe_text(std::string_view text) {
    auto valid = valid_utf8(text);
    std::string out;
    out.reserve(valid.size());
    for (char c : valid) {
        auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7F) {
            out += fmt::format("#x{:02X}", byte);
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace blackbox::base
