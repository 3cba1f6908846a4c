#include <csignal>

#include <blackbox/limit/rss_watchdog.hpp>

namespace blackbox::limit {

bool kill_tree(pid_t process_group, const std::vector<pid_t>& tree) noexcept {
    bool reached = process_group > 0 && ::kill(-process_group, SIGKILL) == 0;
    for (pid_t pid : tree) {
        reached = (pid > 0 && ::kill(pid, SIGKILL) == 0) || reached;
    }
    return reached;
}

RssWatchdog::RssWatchdog(std::uint64_t limit, std::uint64_t threshold,
                         ThresholdCallback on_threshold, Killer killer)
    : limit_(limit),
      on_threshold_(threshold == 0 ? ThresholdCallback{} : std::move(on_threshold)),
      killer_(std::move(killer)),
      crossing_(threshold) {
    if (!killer_) {
        killer_ = kill_tree;
    }
}

void RssWatchdog::attach(pid_t process_group) {
    std::lock_guard lock(mutex_);
    group_ = process_group;
    kill_.reset();
}

void RssWatchdog::on_sample(std::int64_t ns, std::uint64_t tree_rss_bytes,
                            const std::vector<pid_t>& tree) {
    bool rose = false;
    std::optional<pid_t> to_kill;
    {
        std::lock_guard lock(mutex_);
        rose = on_threshold_ && crossing_.rises(tree_rss_bytes);
        if (tree_rss_bytes >= limit_ && group_ > 0 && !kill_) {
            kill_ = WatchdogKill{ns, tree_rss_bytes, limit_, group_, false};
            to_kill = group_;
        }
    }
    const auto deliver = [this, &tree](pid_t group) {
        const bool delivered = killer_(group, tree);
        std::lock_guard lock(mutex_);
        if (kill_ && kill_->process_group == group) {
            kill_->delivered = delivered;
        }
    };
    // Outside the lock: the callback may take its time. It comes first, so that a dump it asks
    // for has a chance when one sample is both the rise and the limit; the kill happens even if
    // it throws.
    if (rose) {
        try {
            on_threshold_(ThresholdCrossing{ns, tree_rss_bytes, crossing_.threshold()});
        } catch (...) {
            if (to_kill) {
                deliver(*to_kill);
            }
            throw;
        }
    }
    if (to_kill) {
        deliver(*to_kill);
    }
}

std::optional<WatchdogKill> RssWatchdog::kill() const {
    std::lock_guard lock(mutex_);
    return kill_;
}

}  // namespace blackbox::limit
