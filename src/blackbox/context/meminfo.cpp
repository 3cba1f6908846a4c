#include <limits>

#include <blackbox/context/line_fields.hpp>
#include <blackbox/context/meminfo.hpp>

namespace blackbox::context {

std::optional<std::uint64_t> parse_meminfo_total(std::string_view text) {
    for (std::string_view line : split_lines(text)) {
        std::optional<KeyValue> field = split_key_value(line);
        if (!field || field->key != "MemTotal") {
            continue;
        }
        std::string_view value = field->value;
        std::string_view number = trim(value.substr(0, value.find(' ')));
        std::string_view unit = trim(value.substr(number.size()));
        std::optional<std::uint64_t> kib = parse_unsigned(number);
        if (!kib || unit != "kB" || *kib > std::numeric_limits<std::uint64_t>::max() / 1024) {
            return std::nullopt;
        }
        return *kib * 1024;
    }
    return std::nullopt;
}

}  // namespace blackbox::context
