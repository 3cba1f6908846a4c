#include <cstdint>

#include <blackbox/base/html_escape.hpp>
#include <blackbox/base/terminal_text.hpp>

namespace blackbox::base {

namespace {

void append_utf8(std::string& out, std::uint32_t code) {
    if (code == 0 || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) {
        code = 0xFFFD;
    }
    auto byte = [](std::uint32_t value) { return static_cast<char>(value); };
    if (code < 0x80) {
        out += byte(code);
    } else if (code < 0x800) {
        out += byte(0xC0 | (code >> 6));
        out += byte(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += byte(0xE0 | (code >> 12));
        out += byte(0x80 | ((code >> 6) & 0x3F));
        out += byte(0x80 | (code & 0x3F));
    } else {
        out += byte(0xF0 | (code >> 18));
        out += byte(0x80 | ((code >> 12) & 0x3F));
        out += byte(0x80 | ((code >> 6) & 0x3F));
        out += byte(0x80 | (code & 0x3F));
    }
}

// Decodes the reference starting at text[0] == '&' into `out`; returns its length, or 0 when
// it is not one we know (the '&' is then kept).
std::size_t decode_reference(std::string_view text, std::string& out) {
    auto semicolon = text.find(';');
    if (semicolon == std::string_view::npos || semicolon > 12) {
        return 0;
    }
    auto body = text.substr(1, semicolon - 1);
    if (body.size() >= 2 && body[0] == '#') {
        bool hex = body[1] == 'x' || body[1] == 'X';
        auto digits = body.substr(hex ? 2 : 1);
        if (digits.empty()) {
            return 0;
        }
        std::uint32_t code = 0;
        for (char c : digits) {
            std::uint32_t digit = 0;
            if (c >= '0' && c <= '9') {
                digit = static_cast<std::uint32_t>(c - '0');
            } else if (hex && c >= 'a' && c <= 'f') {
                digit = static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (hex && c >= 'A' && c <= 'F') {
                digit = static_cast<std::uint32_t>(c - 'A' + 10);
            } else {
                return 0;
            }
            code = code * (hex ? 16U : 10U) + digit;
            if (code > 0x10FFFF) {
                code = 0x110000;  // out of range, whatever digits follow
            }
        }
        append_utf8(out, code);
        return semicolon + 1;
    }
    static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
        {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xC2\xA0"},
    };
    for (const auto& [name, value] : kNamed) {
        if (body == name) {
            out += value;
            return semicolon + 1;
        }
    }
    return 0;
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&#34;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string html_text(std::string_view text) {
    return html_escape(terminal_text(text, Newlines::keep));
}

std::string html_unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    while (at < text.size()) {
        auto amp = text.find('&', at);
        if (amp == std::string_view::npos) {
            out.append(text.substr(at));
            break;
        }
        out.append(text.substr(at, amp - at));
        auto length = decode_reference(text.substr(amp), out);
        if (length == 0) {
            out += '&';
            length = 1;
        }
        at = amp + length;
    }
    return out;
}

}  // namespace blackbox::base
