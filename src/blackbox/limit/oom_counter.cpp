#include <blackbox/limit/control_file.hpp>
#include <blackbox/limit/oom_counter.hpp>

namespace blackbox::limit {

std::optional<std::uint64_t> parse_oom_kill_count(std::string_view text) {
    constexpr std::string_view kKey = "oom_kill ";
    while (!text.empty()) {
        auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.substr(0, kKey.size()) == kKey) {
            return parse_control_number(line.substr(kKey.size()));
        }
    }
    return std::nullopt;
}

std::optional<std::uint64_t> read_oom_kill_count(const CgroupFs& fs, const CgroupDir& dir) {
    auto text = fs.read(
        control_file(dir.directory, dir.version == 1 ? "memory.oom_control" : "memory.events"));
    return text ? parse_oom_kill_count(*text) : std::nullopt;
}

}  // namespace blackbox::limit
