#include <limits>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/children.hpp>

namespace blackbox::sample {

void parse_children(std::string_view text, std::vector<pid_t>& pids) {
    std::string_view word;
    while (base::next_word(text, word)) {
        std::optional<std::uint64_t> pid = base::parse_u64(word);
        if (pid && *pid > 0 &&
            *pid <= static_cast<std::uint64_t>(std::numeric_limits<pid_t>::max())) {
            pids.push_back(static_cast<pid_t>(*pid));
        }
    }
}

}  // namespace blackbox::sample
