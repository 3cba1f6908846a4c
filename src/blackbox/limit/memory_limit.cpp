#include <unistd.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/memory_size.hpp>
#include <blackbox/limit/control_file.hpp>
#include <blackbox/limit/memory_limit.hpp>
#include <blackbox/limit/oom_counter.hpp>

namespace blackbox::limit {

namespace {

std::uint64_t threshold_for(const LimitOptions& options, std::uint64_t bytes) {
    if (!options.on_threshold || !(options.threshold_fraction > 0.0) ||
        !(options.threshold_fraction < 1.0)) {
        return 0;
    }
    return static_cast<std::uint64_t>(static_cast<long double>(bytes) *
                                      static_cast<long double>(options.threshold_fraction));
}

std::string joined(const std::vector<std::string>& notes) {
    std::string text;
    for (const auto& note : notes) {
        text += "; " + note;
    }
    return text;
}

}  // namespace

std::string_view kind_name(LimitKind kind) {
    switch (kind) {
        case LimitKind::cgroup_v2:
            return "cgroup v2";
        case LimitKind::cgroup_v1:
            return "cgroup v1";
        case LimitKind::watchdog:
            return "watchdog";
    }
    return "watchdog";
}

MemoryLimit::MemoryLimit(const LimitOptions& options)
    : MemoryLimit(options, std::make_shared<CgroupFs>("/"), ::getpid()) {}

MemoryLimit::MemoryLimit(const LimitOptions& options, std::shared_ptr<const CgroupFs> fs,
                         pid_t owner)
    : options_(options), fs_(std::move(fs)), bytes_(options.bytes) {
    if (options.bytes == 0) {
        throw Error("a memory limit must be more than 0 bytes");
    }
    if (options_.use_cgroups) {
        try_cgroups(*fs_, owner);
    } else {
        reasons_.push_back("cgroups: not used, as asked");
    }
    if (configured_) {
        bytes_ = configured_->limit_bytes;
        directory_ = configured_->group.dir().directory;
        reasons_.push_back(
            std::string(kind_name(kind_)) + ": group " + configured_->group.dir().directory +
            ", limit " + base::format_size(bytes_) +
            (configured_->swap_limited ? ", swap limited too" : "") + joined(configured_->notes));
    } else {
        kind_ = LimitKind::watchdog;
        reasons_.push_back(
            "watchdog: the process group is SIGKILLed when the sampled resident "
            "memory of the tree reaches " +
            base::format_size(bytes_));
    }
    threshold_ = threshold_for(options_, bytes_);
    arm_threshold(threshold_);
}

void MemoryLimit::try_cgroups(const CgroupFs& fs, pid_t owner) {
    const CgroupPlaces places = find_cgroups(fs);
    if (!places.v2) {
        reasons_.push_back("cgroup v2: we are in no mounted cgroup v2 hierarchy");
    } else {
        try {
            configured_.emplace(create_v2_group(fs_, *places.v2, options_.bytes, owner));
            kind_ = LimitKind::cgroup_v2;
            return;
        } catch (const Error& error) {
            reasons_.push_back(std::string("cgroup v2: ") + error.what());
        }
    }
    if (!places.v1_memory) {
        reasons_.push_back("cgroup v1: no mounted cgroup v1 hierarchy holds the memory controller");
        return;
    }
    try {
        configured_.emplace(create_v1_group(fs_, *places.v1_memory, options_.bytes, owner));
        kind_ = LimitKind::cgroup_v1;
    } catch (const Error& error) {
        reasons_.push_back(std::string("cgroup v1: ") + error.what());
    }
}

void MemoryLimit::arm_threshold(std::uint64_t threshold) {
    if (threshold == 0) {
        if (kind_ == LimitKind::watchdog) {
            watchdog_ =
                std::make_unique<RssWatchdog>(bytes_, 0, ThresholdCallback{}, options_.killer);
        }
        return;
    }
    if (configured_ && (kind_ == LimitKind::cgroup_v1 || options_.v2_memory_high)) {
        try {
            notifier_ = std::make_unique<ThresholdNotifier>(fs_, configured_->group.dir(),
                                                            threshold, options_.on_threshold);
            threshold_source_ = notifier_->how();
            return;
        } catch (const Error& error) {
            reasons_.push_back(std::string("threshold: ") + error.what() +
                               "; the sampler's figures are used instead");
        }
    }
    // The watchdog's own limit, or none (UINT64_MAX) when a cgroup enforces it.
    const std::uint64_t kill_at = kind_ == LimitKind::watchdog ? bytes_ : UINT64_MAX;
    watchdog_ =
        std::make_unique<RssWatchdog>(kill_at, threshold, options_.on_threshold, options_.killer);
    threshold_source_ = "samples";
}

MemoryLimit::~MemoryLimit() {
    release();
}

std::string MemoryLimit::describe() const {
    std::string text = base::format_size(bytes_) + ", enforced by " + std::string(kind_name(kind_));
    if (kind_ != LimitKind::watchdog) {
        text += " (group " + directory_ + ")";
    } else {
        text += " (SIGKILL of the process group at that resident memory)";
    }
    return text;
}

std::vector<supervise::PreExecWrite> MemoryLimit::pre_exec_writes() const {
    if (!configured_) {
        return {};
    }
    return {supervise::PreExecWrite{fs_->resolve(control_file(directory_, "cgroup.procs")), "0\n",
                                    true}};
}

std::optional<CgroupDir> MemoryLimit::group() const {
    if (!configured_) {
        return std::nullopt;
    }
    return configured_->group.dir();
}

void MemoryLimit::attach(pid_t process_group) {
    if (watchdog_) {
        watchdog_->attach(process_group);
    }
}

void MemoryLimit::on_sample(std::int64_t ns, std::uint64_t tree_rss_bytes,
                            const std::vector<pid_t>& tree) {
    if (watchdog_) {
        watchdog_->on_sample(ns, tree_rss_bytes, tree);
    }
}

std::optional<WatchdogKill> MemoryLimit::watchdog_kill() const {
    if (kind_ != LimitKind::watchdog || !watchdog_) {
        return std::nullopt;
    }
    return watchdog_->kill();
}

std::optional<std::uint64_t> MemoryLimit::oom_kills() const {
    if (!configured_) {
        return std::nullopt;
    }
    return read_oom_kill_count(*fs_, configured_->group.dir());
}

Removal MemoryLimit::release() noexcept {
    notifier_.reset();
    if (!configured_) {
        return Removal{true, 0, 0};
    }
    Removal removal = configured_->group.remove();
    configured_.reset();  // takes back a controller we enabled in the parent
    return removal;
}

}  // namespace blackbox::limit
