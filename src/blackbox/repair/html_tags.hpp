#pragma once

// A bounded scanner over the tags of an HTML document, enough to find pytest-html's
// data-jsonblob attribute and results table without an HTML5 parser (Debian ships none for
// C++ that this project should take on; see docs/commands/postprocess.md). It walks the text
// once, front to back: comments, doctypes and processing instructions are skipped, and the
// contents of raw-text elements (<script>, <style>, <textarea>, <title>) are never read as
// tags, so "data-jsonblob=" inside a script cannot be mistaken for the attribute. Every
// position is a byte offset into the scanned text.

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace blackbox::repair {

struct HtmlAttribute {
    std::string_view name;        // as written (compare with iequals)
    std::size_t name_begin = 0;   // where the name starts
    std::size_t value_begin = 0;  // the value, without its quotes; empty for a bare attribute
    std::size_t value_end = 0;    // (the end of the attribute when it has no value)
    char quote = 0;               // '"', '\'' or 0 (unquoted or bare)
};

struct HtmlTag {
    std::string_view name;  // lower-case comparisons via iequals; empty never
    bool closing = false;   // </name>
    std::size_t begin = 0;  // the '<'
    std::size_t end = 0;    // one past the '>'
    std::vector<HtmlAttribute> attributes;

    // The raw (still escaped) value of an attribute, or nullopt when the tag lacks it.
    std::optional<std::string_view> attribute(std::string_view html,
                                              std::string_view attribute_name) const;
    const HtmlAttribute* find(std::string_view attribute_name) const;
};

// The next start or end tag at or after `from`; nullopt at the end of the text or when the
// rest is a tag that never closes (a torn file).
std::optional<HtmlTag> next_tag(std::string_view html, std::size_t from);

// Where scanning resumes after `tag`: its end, or for the start tag of a raw-text element the
// start of its end tag (its content is text, not markup).
std::size_t resume_after(std::string_view html, const HtmlTag& tag);

// Calls visit(tag) for each tag at or after `from`, in document order, skipping raw-text
// contents, until visit returns false or the text ends.
void for_each_tag(std::string_view html, std::size_t from,
                  const std::function<bool(const HtmlTag&)>& visit);

// ASCII case-insensitive equality, as HTML compares tag and attribute names.
bool iequals(std::string_view a, std::string_view b);

// Whether a class attribute's value holds `name` as one of its space-separated classes.
bool has_class(std::string_view class_value, std::string_view name);

}  // namespace blackbox::repair
