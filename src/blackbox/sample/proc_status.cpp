#include <limits>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/proc_status.hpp>

namespace blackbox::sample {

ProcStatus parse_proc_status(std::string_view text) {
    ProcStatus status;
    std::string_view line;
    while (base::next_line(text, line)) {
        if (auto name = base::value_after(line, "Name", ':')) {
            status.name = std::string(*name);
        } else if (auto ppid = base::value_after(line, "PPid", ':')) {
            std::optional<std::uint64_t> value = base::parse_u64(*ppid);
            if (value && *value <= static_cast<std::uint64_t>(std::numeric_limits<pid_t>::max())) {
                status.ppid = static_cast<pid_t>(*value);
            }
        } else if (auto rss = base::value_after(line, "VmRSS", ':')) {
            status.vm_rss = base::parse_kib(*rss);
        } else if (auto swap = base::value_after(line, "VmSwap", ':')) {
            status.vm_swap = base::parse_kib(*swap);
        } else if (auto hwm = base::value_after(line, "VmHWM", ':')) {
            status.vm_hwm = base::parse_kib(*hwm);
        }
    }
    return status;
}

}  // namespace blackbox::sample
