#include <algorithm>
#include <cctype>
#include <string>

#include <blackbox/repair/html_tags.hpp>

namespace blackbox::repair {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// The offset one past `needle` found case-insensitively at or after `from`, or npos.
std::size_t ifind_end(std::string_view text, std::string_view needle, std::size_t from) {
    for (std::size_t at = from; at + needle.size() <= text.size(); ++at) {
        if (iequals(text.substr(at, needle.size()), needle)) {
            return at + needle.size();
        }
    }
    return std::string_view::npos;
}

// Parses the tag starting at html[at] == '<' whose name starts at `name_at`.
std::optional<HtmlTag> parse_tag(std::string_view html, std::size_t at, std::size_t name_at,
                                 bool closing) {
    HtmlTag tag;
    tag.begin = at;
    tag.closing = closing;
    std::size_t i = name_at;
    while (i < html.size() && !is_space(html[i]) && html[i] != '>' && html[i] != '/') {
        ++i;
    }
    tag.name = html.substr(name_at, i - name_at);
    for (;;) {
        while (i < html.size() && (is_space(html[i]) || html[i] == '/')) {
            ++i;
        }
        if (i >= html.size()) {
            return std::nullopt;
        }
        if (html[i] == '>') {
            tag.end = i + 1;
            return tag;
        }
        HtmlAttribute attribute;
        attribute.name_begin = i;
        while (i < html.size() && !is_space(html[i]) && html[i] != '>' && html[i] != '=' &&
               (html[i] != '/' || i == attribute.name_begin)) {
            ++i;
        }
        attribute.name = html.substr(attribute.name_begin, i - attribute.name_begin);
        std::size_t after_name = i;
        while (i < html.size() && is_space(html[i])) {
            ++i;
        }
        if (i < html.size() && html[i] == '=') {
            ++i;
            while (i < html.size() && is_space(html[i])) {
                ++i;
            }
            if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
                attribute.quote = html[i];
                auto close = html.find(attribute.quote, i + 1);
                if (close == std::string_view::npos) {
                    return std::nullopt;
                }
                attribute.value_begin = i + 1;
                attribute.value_end = close;
                i = close + 1;
            } else {
                attribute.value_begin = i;
                while (i < html.size() && !is_space(html[i]) && html[i] != '>') {
                    ++i;
                }
                attribute.value_end = i;
            }
        } else {
            attribute.value_begin = attribute.value_end = after_name;
            i = after_name;
        }
        tag.attributes.push_back(attribute);
    }
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

bool has_class(std::string_view class_value, std::string_view name) {
    std::size_t at = 0;
    while (at < class_value.size()) {
        while (at < class_value.size() && is_space(class_value[at])) {
            ++at;
        }
        auto end = at;
        while (end < class_value.size() && !is_space(class_value[end])) {
            ++end;
        }
        if (end > at && class_value.substr(at, end - at) == name) {
            return true;
        }
        at = end;
    }
    return false;
}

const HtmlAttribute* HtmlTag::find(std::string_view attribute_name) const {
    for (const auto& attribute : attributes) {
        if (iequals(attribute.name, attribute_name)) {
            return &attribute;
        }
    }
    return nullptr;
}

std::optional<std::string_view> HtmlTag::attribute(std::string_view html,
                                                   std::string_view attribute_name) const {
    const auto* found = find(attribute_name);
    if (found == nullptr) {
        return std::nullopt;
    }
    return html.substr(found->value_begin, found->value_end - found->value_begin);
}

std::optional<HtmlTag> next_tag(std::string_view html, std::size_t from) {
    std::size_t at = from;
    while ((at = html.find('<', at)) != std::string_view::npos) {
        if (html.substr(at, 4) == "<!--") {
            auto close = html.find("-->", at + 4);
            if (close == std::string_view::npos) {
                return std::nullopt;
            }
            at = close + 3;
            continue;
        }
        if (at + 1 < html.size() && (html[at + 1] == '!' || html[at + 1] == '?')) {
            auto close = html.find('>', at);
            if (close == std::string_view::npos) {
                return std::nullopt;
            }
            at = close + 1;  // <!DOCTYPE …>, <![CDATA[…]]>-less markup, <?…?>
            continue;
        }
        bool closing = at + 1 < html.size() && html[at + 1] == '/';
        auto name_at = at + (closing ? 2 : 1);
        if (name_at >= html.size() || !std::isalpha(static_cast<unsigned char>(html[name_at]))) {
            ++at;  // a '<' that starts no tag ("a < b" in text)
            continue;
        }
        auto tag = parse_tag(html, at, name_at, closing);
        if (!tag) {
            return std::nullopt;
        }
        return tag;
    }
    return std::nullopt;
}

std::size_t resume_after(std::string_view html, const HtmlTag& tag) {
    if (tag.closing) {
        return tag.end;
    }
    for (std::string_view name : {"script", "style", "textarea", "title"}) {
        if (iequals(tag.name, name)) {
            auto close = ifind_end(html, "</" + std::string(name), tag.end);
            return close == std::string_view::npos ? html.size() : close - name.size() - 2;
        }
    }
    return tag.end;
}

void for_each_tag(std::string_view html, std::size_t from,
                  const std::function<bool(const HtmlTag&)>& visit) {
    for (auto tag = next_tag(html, from); tag; tag = next_tag(html, resume_after(html, *tag))) {
        if (!visit(*tag)) {
            return;
        }
    }
}

}  // namespace blackbox::repair
