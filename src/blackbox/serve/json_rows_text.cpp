#include <iterator>

#include <fmt/format.h>

#include <blackbox/serve/json_rows_text.hpp>

namespace blackbox::serve {

void JsonRowsText::begin_row() {
    if (!text_.empty()) {
        text_ += "},";
    } else {
        text_ += '[';
    }
    text_ += '{';
    first_field_ = true;
}

void JsonRowsText::name(std::string_view key) {
    if (!first_field_) {
        text_ += ',';
    }
    first_field_ = false;
    text_ += '"';
    text_ += key;
    text_ += "\":";
}

void JsonRowsText::field(std::string_view key, std::string_view text) {
    name(key);
    text_ += '"';
    for (char c : text) {
        switch (c) {
            case '"':
                text_ += "\\\"";
                break;
            case '\\':
                text_ += "\\\\";
                break;
            case '\b':
                text_ += "\\b";
                break;
            case '\f':
                text_ += "\\f";
                break;
            case '\n':
                text_ += "\\n";
                break;
            case '\r':
                text_ += "\\r";
                break;
            case '\t':
                text_ += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    fmt::format_to(std::back_inserter(text_), "\\u{:04x}",
                                   static_cast<unsigned>(static_cast<unsigned char>(c)));
                } else {
                    text_ += c;
                }
        }
    }
    text_ += '"';
}

void JsonRowsText::field(std::string_view key, std::int64_t number) {
    name(key);
    fmt::format_to(std::back_inserter(text_), "{}", number);
}

void JsonRowsText::field(std::string_view key, double number) {
    name(key);
    // The shortest text that reads back as the same double.
    fmt::format_to(std::back_inserter(text_), "{}", number);
}

std::string JsonRowsText::finish() {
    std::string out = text_.empty() ? std::string("[]") : std::move(text_) + "}]";
    text_.clear();
    first_field_ = true;
    return out;
}

}  // namespace blackbox::serve
