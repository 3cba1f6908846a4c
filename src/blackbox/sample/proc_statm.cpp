#include <blackbox/sample/kernel_text.hpp>
#include <blackbox/sample/proc_statm.hpp>

namespace blackbox::sample {

std::optional<std::uint64_t> parse_statm_rss(std::string_view text, std::uint64_t page_size) {
    std::string_view size;
    std::string_view resident;
    if (!next_word(text, size) || !next_word(text, resident) || !parse_u64(size)) {
        return std::nullopt;
    }
    std::optional<std::uint64_t> pages = parse_u64(resident);
    if (!pages) {
        return std::nullopt;
    }
    return *pages * page_size;
}

}  // namespace blackbox::sample
