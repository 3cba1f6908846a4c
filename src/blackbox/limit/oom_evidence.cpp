#include <algorithm>
#include <ctime>

#include <blackbox/limit/oom_counter.hpp>
#include <blackbox/limit/oom_evidence.hpp>

namespace blackbox::limit {

namespace {

std::string describe(const OomKill& kill) {
    std::string text = std::to_string(kill.pid);
    if (!kill.comm.empty()) {
        text += " (" + kill.comm + ")";
    }
    return text;
}

std::string counter_change(const OomObservation& seen) {
    return "the cgroup's oom_kill counter rose from " + std::to_string(*seen.count_before) +
           " to " + std::to_string(*seen.count_after);
}

}  // namespace

OomVerdict judge_oom(const OomObservation& seen, const std::vector<pid_t>& pids) {
    OomVerdict verdict;
    for (const auto& kill : seen.kills) {
        if (pids.empty() || std::find(pids.begin(), pids.end(), kill.pid) != pids.end()) {
            verdict.oom = true;
            verdict.pid = kill.pid;
            verdict.evidence = "the kernel log says: " + kill.message;
            return verdict;
        }
    }
    const bool counted = seen.count_before && seen.count_after;
    const bool rose = counted && *seen.count_after > *seen.count_before;
    if (!seen.kills.empty()) {
        std::string others;
        for (const auto& kill : seen.kills) {
            others += (others.empty() ? "" : ", ") + describe(kill);
        }
        verdict.evidence = "the kernel's OOM killer killed other processes: " + others;
        return verdict;
    }
    if (rose) {
        verdict.oom = true;
        verdict.evidence = counter_change(seen);
        if (!seen.log_readable) {
            verdict.evidence += " (the kernel log was not readable: " + seen.log_problem + ")";
        }
        return verdict;
    }
    verdict.evidence = "no sign of the OOM killer: ";
    verdict.evidence += seen.log_readable
                            ? "the kernel log reports no OOM kill"
                            : "the kernel log was not readable (" + seen.log_problem + ")";
    if (counted) {
        verdict.evidence +=
            ", and the cgroup's oom_kill counter stayed at " + std::to_string(*seen.count_after);
    }
    return verdict;
}

OomWatch::OomWatch(std::shared_ptr<const CgroupFs> fs, std::optional<CgroupDir> counted,
                   const std::filesystem::path& kernel_log)
    : fs_(std::move(fs)), counted_(std::move(counted)), log_(kernel_log) {
    if (counted_) {
        count_before_ = read_oom_kill_count(*fs_, *counted_);
    }
}

OomObservation OomWatch::observe(std::chrono::milliseconds settle) {
    const auto deadline = std::chrono::steady_clock::now() + settle;
    OomObservation seen;
    seen.log_readable = log_.readable();
    seen.log_problem = log_.problem();
    seen.count_before = count_before_;
    for (;;) {
        // Kept whole: the two lines of one kill may come in two calls.
        for (auto& record : log_.read_new()) {
            if (parse_oom_kill(record.message)) {
                reports_.push_back(std::move(record));
            }
        }
        seen.kills = oom_kills_in(reports_);
        seen.count_after = counted_ ? read_oom_kill_count(*fs_, *counted_) : std::nullopt;
        const bool rose =
            seen.count_before && seen.count_after && *seen.count_after > *seen.count_before;
        if (!rose || !seen.kills.empty() || !log_.readable() ||
            std::chrono::steady_clock::now() >= deadline) {
            break;
        }
        const timespec step{0, 10'000'000};
        ::nanosleep(&step, nullptr);
    }
    return seen;
}

}  // namespace blackbox::limit
