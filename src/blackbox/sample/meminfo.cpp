#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/meminfo.hpp>

namespace blackbox::sample {

std::optional<std::uint64_t> MemInfo::swap_used() const {
    if (!swap_total || !swap_free || *swap_free > *swap_total) {
        return std::nullopt;
    }
    return *swap_total - *swap_free;
}

MemInfo parse_meminfo(std::string_view text) {
    struct Field {
        std::string_view key;
        std::optional<std::uint64_t> MemInfo::*member;
    };
    static constexpr Field kFields[] = {
        {"MemTotal", &MemInfo::total},         {"MemFree", &MemInfo::free},
        {"MemAvailable", &MemInfo::available}, {"Cached", &MemInfo::cached},
        {"SwapTotal", &MemInfo::swap_total},   {"SwapFree", &MemInfo::swap_free},
    };
    MemInfo info;
    std::string_view line;
    while (base::next_line(text, line)) {
        for (const Field& field : kFields) {
            if (auto value = base::value_after(line, field.key, ':')) {
                info.*field.member = base::parse_kib(*value);
                break;
            }
        }
    }
    return info;
}

}  // namespace blackbox::sample
