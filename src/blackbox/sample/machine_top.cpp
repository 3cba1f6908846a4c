#include <algorithm>

#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/machine_top.hpp>
#include <blackbox/sample/proc_stat.hpp>

namespace blackbox::sample {

MachineTop machine_top(const ProcFs& fs, std::uint64_t page_size, std::size_t count,
                       std::string& buffer) {
    MachineTop top;
    std::optional<std::vector<std::string>> names = fs.list("/proc");
    if (!names || count == 0) {
        return top;
    }
    auto larger = [](const TopProcess& a, const TopProcess& b) {
        return a.rss != b.rss ? a.rss > b.rss : a.pid < b.pid;
    };
    for (const std::string& name : *names) {
        if (!base::parse_u64(name) || !fs.read("/proc/" + name + "/stat", buffer)) {
            continue;
        }
        std::optional<ProcStat> stat = parse_proc_stat(buffer);
        if (!stat) {
            continue;
        }
        ++top.seen;
        if (stat->rss_pages == 0) {
            continue;
        }
        TopProcess process{stat->pid, stat->rss_pages * page_size, std::move(stat->comm)};
        if (top.procs.size() < count) {
            top.procs.push_back(std::move(process));
            std::push_heap(top.procs.begin(), top.procs.end(), larger);
        } else if (larger(process, top.procs.front())) {
            std::pop_heap(top.procs.begin(), top.procs.end(), larger);
            top.procs.back() = std::move(process);
            std::push_heap(top.procs.begin(), top.procs.end(), larger);
        }
    }
    std::sort_heap(top.procs.begin(), top.procs.end(), larger);
    return top;
}

}  // namespace blackbox::sample
