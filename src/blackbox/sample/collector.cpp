#include <algorithm>
#include <unistd.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/text_scan.hpp>
#include <blackbox/sample/collector.hpp>
#include <blackbox/sample/machine_top.hpp>
#include <blackbox/sample/meminfo.hpp>
#include <blackbox/sample/pressure.hpp>

namespace blackbox::sample {

namespace {

std::uint64_t system_page_size() {
    long size = ::sysconf(_SC_PAGESIZE);
    return size > 0 ? static_cast<std::uint64_t>(size) : 4096;
}

// Whether a v2 cgroup's cgroup.controllers is readable and does not list "memory".
bool lacks_memory_controller(const ProcFs& fs, const CgroupLocation& location) {
    std::optional<std::string> controllers = fs.read(location.directory + "/cgroup.controllers");
    if (!controllers) {
        return false;
    }
    std::string_view list = *controllers;
    std::string_view word;
    while (base::next_word(list, word)) {
        if (word == "memory") {
            return false;
        }
    }
    return true;
}

}  // namespace

Collector::Collector(CollectorOptions options)
    : options_(std::move(options)),
      page_size_(options_.page_size != 0 ? options_.page_size : system_page_size()),
      tree_(options_.fs, options_.root, page_size_, options_.subreaper) {
    const ProcFs& fs = options_.fs;
    meminfo_fd_ = fs.open("/proc/meminfo");
    pressure_fd_ = fs.open("/proc/pressure/memory");
    // With hidepid=1 or 2 (Android), the /proc of processes of other users is not readable;
    // init's is the one that always exists.
    others_hidden_ = options_.root != 1 && !fs.read("/proc/1/stat", buffer_);
    // No smaps_rollup before Linux 4.14; a kernel may also refuse it (ptrace access checks).
    pss_hidden_ = options_.pss_interval_ns > 0 &&
                  !fs.read("/proc/" + std::to_string(options_.root) + "/smaps_rollup", buffer_);

    std::optional<CgroupLocation> location =
        options_.cgroup ? options_.cgroup : find_memory_cgroup(fs, options_.root);
    if (!location) {
        cgroup_hidden_ = true;
        return;
    }
    CgroupMemoryReader reader(fs, *location);
    if (!reader.readable()) {
        // Nothing is hidden when v2 has no memory figures to give: at the root of the hierarchy
        // (no memory.current there) or where the memory controller is not enabled.
        cgroup_hidden_ = !(location->version == 2 &&
                           (location->path == "/" || lacks_memory_controller(fs, *location)));
        return;
    }
    cgroup_info_ = CgroupInfo{location->version, location->path, reader.read().limit};
    cgroup_.emplace(std::move(reader));
}

SamplerHeader Collector::header(std::int64_t ns, double interval_s, double top_interval_s) const {
    SamplerHeader header;
    header.ns = ns;
    header.interval_s = interval_s;
    header.top_interval_s = top_interval_s;
    header.page_size = page_size_;
    header.root = options_.root;
    header.tree = tree_.method() == TreeMethod::children_files ? "children" : "scan";
    header.cgroup = cgroup_info_;
    if (others_hidden_) {
        header.hidden.emplace_back(kHiddenOtherProcesses);
    }
    if (!meminfo_fd_) {
        header.hidden.emplace_back(kHiddenMeminfo);
    }
    if (!pressure_fd_) {
        header.hidden.emplace_back(kHiddenPressure);
    }
    if (cgroup_hidden_) {
        header.hidden.emplace_back(kHiddenCgroup);
    }
    if (pss_hidden_) {
        header.hidden.emplace_back(kHiddenPss);
    }
    if (options_.pss_interval_ns > 0 && !pss_hidden_) {
        header.pss_interval_s = static_cast<double>(options_.pss_interval_ns) / 1e9;
        header.pss_max_share = options_.pss_max_share;
    }
    return header;
}

Sample Collector::collect(std::int64_t ns) {
    Sample sample;
    sample.ns = ns;
    if (meminfo_fd_ && ProcFs::read_from(meminfo_fd_.get(), buffer_)) {
        sample.mem = parse_meminfo(buffer_);
    }
    // Per-process swap costs a status read each (2-4 µs): only when some swap is in use.
    std::optional<std::uint64_t> swap_used = sample.mem.swap_used();
    bool with_swap = swap_used.value_or(0) > 0;
    TreeSample tree = tree_.sample(with_swap);
    maybe_read_pss(ns, tree);
    sample.rss = tree.rss;
    sample.pss = tree.pss;
    sample.procs = std::move(tree.procs);
    if (swap_used) {
        sample.swap = with_swap ? tree.swap : std::optional<std::uint64_t>(0);
    }
    if (pressure_fd_ && ProcFs::read_from(pressure_fd_.get(), buffer_)) {
        sample.psi = parse_pressure(buffer_);
    }
    if (cgroup_) {
        sample.cg = cgroup_->read();
    }
    return sample;
}

void Collector::maybe_read_pss(std::int64_t ns, TreeSample& tree) {
    // A process that left since the last read makes room: the next one to come is a gain.
    last_pss_procs_ = std::min(last_pss_procs_, tree.procs.size());
    if (pss_hidden_ || options_.pss_interval_ns <= 0 || tree.procs.size() < 2) {
        return;
    }
    if (last_pss_cost_ns_ >= 0) {
        // Accrue the budget since it was last counted, up to `pss_burst` reads' worth.
        double accrued = static_cast<double>(std::max<std::int64_t>(ns - pss_credit_at_, 0)) *
                         options_.pss_max_share;
        double cap = static_cast<double>(std::max(options_.pss_burst, 1)) *
                     static_cast<double>(last_pss_cost_ns_);
        pss_credit_ns_ = static_cast<std::int64_t>(
            std::min(static_cast<double>(pss_credit_ns_) + accrued, std::max(cap, 0.0)));
        pss_credit_at_ = ns;
        bool grown = tree.procs.size() > last_pss_procs_;
        bool due = ns - last_pss_ns_ >= options_.pss_interval_ns;
        if (!(grown || due) || pss_credit_ns_ < last_pss_cost_ns_) {
            return;
        }
    }
    std::int64_t before = base::thread_cpu_ns();
    tree_.read_pss(tree);
    // A read too quick for the clock still spends the budget.
    std::int64_t cost = std::max<std::int64_t>(base::thread_cpu_ns() - before, 1000);
    ++pss_cost_.reads;
    pss_cost_.cpu_ns += cost;
    if (last_pss_cost_ns_ < 0) {
        // The first read starts the budget at the burst, less what it cost.
        pss_credit_ns_ = std::max(options_.pss_burst, 1) * cost;
    }
    pss_credit_ns_ -= cost;
    pss_credit_at_ = ns;
    last_pss_cost_ns_ = cost;
    last_pss_ns_ = ns;
    last_pss_procs_ = tree.procs.size();
}

TopRecord Collector::top(std::int64_t ns) {
    return TopRecord{ns, machine_top(options_.fs, page_size_, options_.top_count, buffer_).procs};
}

}  // namespace blackbox::sample
