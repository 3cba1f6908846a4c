#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/proc_statm.hpp>

namespace blackbox::sample {

std::optional<std::uint64_t> parse_statm_rss(std::string_view text, std::uint64_t page_size) {
    std::string_view size;
    std::string_view resident;
    if (!base::next_word(text, size) || !base::next_word(text, resident) ||
        !base::parse_u64(size)) {
        return std::nullopt;
    }
    std::optional<std::uint64_t> pages = base::parse_u64(resident);
    if (!pages) {
        return std::nullopt;
    }
    return *pages * page_size;
}

}  // namespace blackbox::sample
