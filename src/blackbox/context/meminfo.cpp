#include <blackbox/base/text_scan.hpp>
#include <blackbox/context/meminfo.hpp>

namespace blackbox::context {

std::optional<std::uint64_t> parse_meminfo_total(std::string_view text) {
    std::string_view line;
    while (base::next_line(text, line)) {
        std::optional<base::KeyValue> field = base::split_key_value(line);
        if (field && field->key == "MemTotal") {
            return base::parse_kib(field->value);
        }
    }
    return std::nullopt;
}

}  // namespace blackbox::context
