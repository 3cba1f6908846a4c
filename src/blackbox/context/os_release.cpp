#include <optional>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/context/os_release.hpp>

namespace blackbox::context {

namespace {

bool is_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_valid_key(std::string_view key) {
    if (key.empty()) {
        return false;
    }
    for (char c : key) {
        if (!is_key_char(c)) {
            return false;
        }
    }
    return true;
}

// One shell word: quoted segments may follow each other ("a"'b'), an unquoted blank ends it
// (so a trailing "# comment" is dropped). nullopt for an unterminated quote.
std::optional<std::string> unquote(std::string_view raw) {
    std::string value;
    char quote = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (quote == '\'') {
            if (c == '\'') {
                quote = 0;
            } else {
                value += c;
            }
        } else if (quote == '"') {
            if (c == '"') {
                quote = 0;
            } else if (c == '\\' && i + 1 < raw.size() &&
                       std::string_view("\"\\$`").find(raw[i + 1]) != std::string_view::npos) {
                value += raw[++i];
            } else {
                value += c;
            }
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '\\' && i + 1 < raw.size()) {
            value += raw[++i];
        } else if (c == ' ' || c == '\t') {
            break;
        } else {
            value += c;
        }
    }
    if (quote != 0) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

std::map<std::string, std::string> parse_os_release(std::string_view text) {
    std::map<std::string, std::string> fields;
    std::string_view line;
    while (base::next_line(text, line)) {
        line = base::trim(line);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        std::size_t equals = line.find('=');
        if (equals == std::string_view::npos) {
            continue;
        }
        std::string_view key = line.substr(0, equals);
        if (!is_valid_key(key)) {
            continue;
        }
        if (std::optional<std::string> value = unquote(line.substr(equals + 1))) {
            fields[std::string(key)] = std::move(*value);
        }
    }
    return fields;
}

}  // namespace blackbox::context
