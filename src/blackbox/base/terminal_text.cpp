#include <fmt/format.h>

#include <blackbox/base/terminal_text.hpp>
#include <blackbox/base/utf8_text.hpp>

namespace blackbox::base {

namespace {

// The code point of the valid two- or three-byte sequence at `at`, or 0.
std::uint32_t code_point_at(std::string_view text, std::size_t at) {
    auto byte = [&](std::size_t i) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(text[i]));
    };
    if (byte(at) >= 0xC2 && byte(at) <= 0xDF && at + 1 < text.size()) {
        return ((byte(at) & 0x1F) << 6) | (byte(at + 1) & 0x3F);
    }
    if (byte(at) >= 0xE0 && byte(at) <= 0xEF && at + 2 < text.size()) {
        return ((byte(at) & 0x0F) << 12) | ((byte(at + 1) & 0x3F) << 6) | (byte(at + 2) & 0x3F);
    }
    return 0;
}

bool is_format_control(std::uint32_t code) {
    return (code >= 0x80 && code <= 0x9F) || (code >= 0x202A && code <= 0x202E) ||
           (code >= 0x2066 && code <= 0x2069);
}

}  // namespace

std::string terminal_text(std::string_view text, Newlines newlines) {
    // Bytes that are not UTF-8 are already "\xNN" here; what is left is valid UTF-8.
    auto valid = name_text(text);
    std::string_view view = valid;
    std::string out;
    out.reserve(valid.size());
    const bool keep = newlines == Newlines::keep;
    for (std::size_t at = 0; at < view.size();) {
        auto byte = static_cast<unsigned char>(view[at]);
        if (byte < 0x20 || byte == 0x7F) {
            char c = view[at];
            bool crlf = c == '\r' && at + 1 < view.size() && view[at + 1] == '\n';
            if (keep && (c == '\n' || c == '\t' || crlf)) {
                out += c;
            } else if (c == '\n') {
                out += "\\n";
            } else if (c == '\r') {
                out += "\\r";
            } else if (c == '\t') {
                out += "\\t";
            } else {
                out += fmt::format("\\x{:02x}", byte);
            }
            ++at;
            continue;
        }
        if (byte >= 0xC2 && byte <= 0xEF) {
            auto code = code_point_at(view, at);
            std::size_t length = byte <= 0xDF ? 2 : 3;
            if (is_format_control(code)) {
                out += fmt::format("\\u{:04x}", code);
            } else {
                out.append(view.substr(at, length));
            }
            at += length;
            continue;
        }
        out += view[at];
        ++at;
    }
    return out;
}

}  // namespace blackbox::base
