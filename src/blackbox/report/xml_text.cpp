#include <fmt/format.h>

#include <blackbox/report/xml_text.hpp>

namespace blackbox::report {

namespace {

// Length of the valid UTF-8 sequence starting at `text[i]`, or 0.
std::size_t utf8_length(std::string_view text, std::size_t i) {
    auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = byte < 0x80           ? 1
                         : (byte >> 5) == 0x6  ? 2
                         : (byte >> 4) == 0xE  ? 3
                         : (byte >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || i + length > text.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < length; ++k) {
        if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) {
            return 0;
        }
    }
    return length;
}

}  // namespace

std::string xml_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        auto length = utf8_length(text, i);
        if (length == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD
            ++i;
            continue;
        }
        auto byte = static_cast<unsigned char>(text[i]);
        if (length == 1 && byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') {
            out += fmt::format("#x{:02X}", byte);
        } else if (length == 1 && byte == 0x7F) {
            out += "#x7F";
        } else {
            out.append(text.substr(i, length));
        }
        i += length;
    }
    return out;
}

}  // namespace blackbox::report
