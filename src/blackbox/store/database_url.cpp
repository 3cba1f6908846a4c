#include <vector>

#include <blackbox/store/database_url.hpp>

namespace blackbox::store {

namespace {

constexpr std::string_view kHidden = "***";

struct Span {
    std::size_t begin = 0, end = 0;  // [begin, end) of the URL's text
};

// Where the URL's passwords are written: the user part's (between "user:" and the last '@'
// before the host's end) and every `password=` parameter's value.
std::vector<Span> password_spans(std::string_view url) {
    std::vector<Span> spans;
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) {
        return spans;
    }
    const auto authority = scheme + 3;
    auto authority_end = url.find_first_of("/?", authority);
    if (authority_end == std::string_view::npos) {
        authority_end = url.size();
    }
    const auto at = url.rfind('@', authority_end);
    if (at != std::string_view::npos && at >= authority) {
        const auto colon = url.find(':', authority);
        if (colon != std::string_view::npos && colon < at) {
            spans.push_back({colon + 1, at});
        }
    }
    auto query = url.find('?', authority);
    while (query != std::string_view::npos && query < url.size()) {
        const auto begin = query + 1;
        auto end = url.find('&', begin);
        end = end == std::string_view::npos ? url.size() : end;
        const auto parameter = url.substr(begin, end - begin);
        constexpr std::string_view kKey = "password=";
        if (parameter.substr(0, kKey.size()) == kKey) {
            spans.push_back({begin + kKey.size(), end});
        }
        query = end;
    }
    return spans;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// %XX sequences decoded, as libpq decodes a URL's parts.
std::string percent_decoded(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out.push_back(static_cast<char>(high * 16 + low));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

void replace_all(std::string& text, const std::string& secret) {
    if (secret.empty()) {
        return;
    }
    for (auto found = text.find(secret); found != std::string::npos;
         found = text.find(secret, found + kHidden.size())) {
        text.replace(found, secret.size(), kHidden);
    }
}

}  // namespace

bool is_postgres_url(std::string_view db) {
    return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

std::string redacted_url(std::string_view url) {
    std::string out;
    std::size_t copied = 0;
    for (const auto& span : password_spans(url)) {
        out.append(url.substr(copied, span.begin - copied));
        out.append(kHidden);
        copied = span.end;
    }
    out.append(url.substr(copied));
    return out;
}

std::string without_password(std::string message, std::string_view url) {
    for (const auto& span : password_spans(url)) {
        const auto written = url.substr(span.begin, span.end - span.begin);
        replace_all(message, std::string(written));
        replace_all(message, percent_decoded(written));
    }
    return message;
}

}  // namespace blackbox::store
