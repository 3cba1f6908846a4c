#include <cctype>
#include <optional>

#include <blackbox/repair/html_summary.hpp>
#include <blackbox/repair/html_tags.hpp>

namespace blackbox::repair {

namespace {

struct Number {
    std::size_t begin = 0, end = 0;
    long value = 0;
};

// The decimal number at html[at], or nullopt.
std::optional<Number> number_at(std::string_view html, std::size_t at) {
    Number number{at, at, 0};
    while (number.end < html.size() && std::isdigit(static_cast<unsigned char>(html[number.end])) &&
           number.end - at < 12) {
        number.value = number.value * 10 + (html[number.end] - '0');
        ++number.end;
    }
    if (number.end == at) {
        return std::nullopt;
    }
    return number;
}

std::string replace(std::string_view html, std::size_t begin, std::size_t end,
                    std::string_view with) {
    std::string out(html.substr(0, begin));
    out += with;
    out.append(html.substr(end));
    return out;
}

std::string enable_filter(std::string_view html, std::string_view outcome) {
    std::optional<std::pair<std::size_t, std::size_t>> cut;
    for_each_tag(html, 0, [&](const HtmlTag& tag) {
        if (tag.closing || !iequals(tag.name, "input") ||
            tag.attribute(html, "data-test-result") != outcome) {
            return true;
        }
        if (const auto* disabled = tag.find("disabled")) {
            auto begin = disabled->name_begin;
            while (begin > tag.begin && (html[begin - 1] == ' ' || html[begin - 1] == '\t')) {
                --begin;  // the space before the attribute goes with it
            }
            auto end = disabled->value_end + (disabled->quote != 0 ? 1 : 0);
            cut = {begin, end};
        }
        return false;
    });
    return cut ? replace(html, cut->first, cut->second, "") : std::string(html);
}

}  // namespace

std::string add_to_outcome_count(std::string_view html, std::string_view outcome, long count) {
    std::optional<Number> found;
    for_each_tag(html, 0, [&](const HtmlTag& tag) {
        if (tag.closing || !iequals(tag.name, "span") || tag.attribute(html, "class") != outcome) {
            return true;
        }
        found = number_at(html, tag.end);
        return !found;  // a log line with class "error" holds text, not a count: go on
    });
    std::string out =
        found ? replace(html, found->begin, found->end, std::to_string(found->value + count))
              : std::string(html);
    return enable_filter(out, outcome);
}

std::string add_to_run_count(std::string_view html, long count) {
    std::optional<Number> found;
    bool took = false;
    for_each_tag(html, 0, [&](const HtmlTag& tag) {
        if (tag.closing || !iequals(tag.name, "p")) {
            return true;
        }
        auto number = number_at(html, tag.end);
        if (!number) {
            return true;
        }
        auto rest = html.substr(number->end, 24);
        for (std::string_view sentence : {" tests ran in", " test ran in"}) {
            if (rest.substr(0, sentence.size()) == sentence) {
                found = number;
                return false;
            }
        }
        for (std::string_view sentence : {" tests took", " test took"}) {
            if (rest.substr(0, sentence.size()) == sentence) {
                found = number;
                took = true;
                return false;
            }
        }
        return true;
    });
    if (!found) {
        return std::string(html);
    }
    auto total = found->value + count;
    auto word_end = html.find(' ', found->end + 1);
    std::string replacement = std::to_string(total);
    if (took) {
        replacement += total == 1 ? " test" : " tests";
        return replace(html, found->begin, word_end, replacement);
    }
    return replace(html, found->begin, found->end, replacement);
}

}  // namespace blackbox::repair
