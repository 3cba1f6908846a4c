#include <blackbox/base/html_escape.hpp>
#include <blackbox/repair/html_jsonblob.hpp>
#include <blackbox/repair/html_tags.hpp>
#include <blackbox/repair/json_text_repair.hpp>

namespace blackbox::repair {

using base::html_escape;
using base::html_unescape;

std::optional<JsonBlob> find_jsonblob(std::string_view html) {
    std::optional<JsonBlob> blob;
    for_each_tag(html, 0, [&](const HtmlTag& tag) {
        const auto* attribute = tag.closing ? nullptr : tag.find("data-jsonblob");
        if (attribute == nullptr) {
            return true;
        }
        blob = JsonBlob{attribute->value_begin, attribute->value_end,
                        html_unescape(html.substr(attribute->value_begin,
                                                  attribute->value_end - attribute->value_begin))};
        return false;
    });
    return blob;
}

std::optional<nlohmann::ordered_json> parse_jsonblob(const JsonBlob& blob, std::string& error) {
    auto repaired = repair_json_text(blob.json);
    try {
        return nlohmann::ordered_json::parse(repaired);
    } catch (const nlohmann::json::parse_error& failure) {
        error = std::string("data-jsonblob is not JSON even after repair: ") + failure.what();
        return std::nullopt;
    }
}

std::string replace_jsonblob(std::string_view html, const JsonBlob& blob, std::string_view json) {
    std::string out(html.substr(0, blob.value_begin));
    out += html_escape(json);
    out.append(html.substr(blob.value_end));
    return out;
}

Sanitized sanitize_jsonblob(std::string_view html) {
    Sanitized result;
    auto blob = find_jsonblob(html);
    if (!blob) {
        result.outcome = SanitizeOutcome::no_jsonblob;
        return result;
    }
    auto repaired = repair_json_text(blob->json);
    if (!nlohmann::ordered_json::accept(repaired)) {
        std::string error;
        parse_jsonblob(*blob, error);
        result.outcome = SanitizeOutcome::invalid;
        result.error = error;
        return result;
    }
    if (repaired == blob->json) {
        return result;  // valid already: leave the page byte for byte
    }
    result.outcome = SanitizeOutcome::sanitized;
    result.text = replace_jsonblob(html, *blob, repaired);
    return result;
}

}  // namespace blackbox::repair
