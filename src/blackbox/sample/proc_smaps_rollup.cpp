#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/proc_smaps_rollup.hpp>

namespace blackbox::sample {

std::optional<std::uint64_t> parse_smaps_rollup_pss(std::string_view text) {
    std::string_view line;
    while (base::next_line(text, line)) {
        // Exactly "Pss:": "Pss_Anon:", "Pss_File:", "Pss_Dirty:"… follow it on newer kernels.
        if (auto pss = base::value_after(line, "Pss", ':')) {
            return base::parse_kib(*pss);
        }
    }
    return std::nullopt;
}

}  // namespace blackbox::sample
