#include <blackbox/limit/control_file.hpp>

namespace blackbox::limit {

std::string control_file(std::string_view directory, std::string_view name) {
    std::string path(directory);
    if (path.empty() || path.back() != '/') {
        path += '/';
    }
    path += name;
    return path;
}

std::optional<std::uint64_t> parse_control_number(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.remove_suffix(1);
    }
    if (text.empty()) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
    }
    return value;
}

bool lists_word(std::string_view text, std::string_view word) {
    constexpr std::string_view kBlanks = " \t\n";
    while (!text.empty()) {
        auto start = text.find_first_not_of(kBlanks);
        if (start == std::string_view::npos) {
            return false;
        }
        text.remove_prefix(start);
        auto end = text.find_first_of(kBlanks);
        if (text.substr(0, end) == word) {
            return true;
        }
        text.remove_prefix(end == std::string_view::npos ? text.size() : end);
    }
    return false;
}

}  // namespace blackbox::limit
