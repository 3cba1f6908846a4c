#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/memory_size.hpp>
#include <blackbox/limit/cgroup_places.hpp>
#include <blackbox/limit/oom_score.hpp>
#include <blackbox/limit/tree_group.hpp>
#include <blackbox/live/stack_dump.hpp>
#include <blackbox/live/status_text.hpp>
#include <blackbox/record/live_run.hpp>
#include <blackbox/rundir/run_files.hpp>
#include <blackbox/sample/proc_stat.hpp>
#include <blackbox/sample/process_identity.hpp>

namespace blackbox::record {

namespace {

std::shared_ptr<const limit::CgroupFs> machine_cgroups() {
    static const auto fs = std::make_shared<const limit::CgroupFs>("/");
    return fs;
}

// Who records this run, so that a reader can tell whether it is still alive
// (sample/process_identity.hpp).
nlohmann::json supervisor_identity() {
    nlohmann::json identity = {{"pid", ::getpid()}};
    if (auto text = base::read_file("/proc/self/stat")) {
        if (auto stat = sample::parse_proc_stat(*text)) {
            identity["starttime"] = stat->starttime;
        }
    }
    if (auto boot = sample::boot_id()) {
        identity["boot_id"] = *boot;
    }
    return identity;
}

}  // namespace

LiveRun::LiveRun(const WatchOptions& options, const std::filesystem::path& run_dir)
    : options_(options),
      run_dir_(run_dir),
      log_(run_dir / rundir::kSupervisorLogFile),
      watch_(run_dir, options.attempt),
      captures_(run_dir) {
    if (options_.hang_timeout) {
        hang_.emplace(*options_.hang_timeout, log_);
    }
    if (options_.memory_max) {
        limit::LimitOptions limit_options;
        limit_options.bytes = *options_.memory_max;
        limit_options.threshold_fraction = options_.dump_fraction;
        limit_options.use_cgroups = !options_.memory_max_watchdog_only && options_.tree_cgroup;
        limit_options.on_threshold = [this](const limit::ThresholdCrossing& crossing) {
            on_threshold(crossing.ns, crossing.usage_bytes, crossing.threshold_bytes);
        };
        // The watchdog's kill reaches the sampled tree and, through the cgroup that follows the
        // tree, whatever the sample missed (on the sampler's thread; tree_group_ is set before
        // the command starts and outlives the sampler).
        limit_options.killer = [this](pid_t group, const std::vector<pid_t>& tree) {
            bool reached = limit::kill_tree(group, tree);
            if (tree_group_ && tree_group_->kill_members() > 0) {
                reached = true;
            }
            return reached;
        };
        limit_.emplace(limit_options);
        log_.write("limit", {{"attempt", options_.attempt},
                             {"bytes", limit_->bytes()},
                             {"how", limit_->describe()}});
    }
    if (options_.tree_cgroup && !(limit_ && limit_->group())) {
        auto made = limit::create_tree_group(machine_cgroups(),
                                             limit::find_cgroups(*machine_cgroups()), ::getpid());
        if (made.group) {
            tree_group_.emplace(std::move(*made.group));
        }
    }
    auto identity = supervisor_identity();
    identity["attempt"] = options_.attempt;
    identity["cgroup"] =
        tree_cgroup().empty() ? nlohmann::json(nullptr) : nlohmann::json(tree_cgroup());
    log_.write("supervisor", identity);
    // Without a cgroup limit, the counter of the cgroup we run in still tells an OOM kill.
    std::optional<limit::CgroupDir> counted = limit_ ? limit_->group() : std::nullopt;
    if (!counted) {
        counted = limit::memory_cgroup(limit::find_cgroups(*machine_cgroups()));
    }
    oom_watch_.emplace(machine_cgroups(), counted);
}

LiveRun::~LiveRun() {
    if (sampler_) {
        sampler_->stop();
    }
}

std::vector<supervise::PreExecWrite> LiveRun::pre_exec_writes() const {
    std::vector<supervise::PreExecWrite> writes;
    if (limit_) {
        writes = limit_->pre_exec_writes();
    }
    if (tree_group_) {
        writes.push_back(limit::join_tree_group(*tree_group_));
    }
    if (auto raise =
            limit::oom_score_adj_write(options_.oom_score_adj, limit::current_oom_score_adj())) {
        writes.push_back(*raise);
    }
    return writes;
}

std::string LiveRun::describe_limit() const {
    return limit_ ? limit_->describe() : std::string();
}

std::string LiveRun::tree_cgroup() const {
    if (limit_) {
        if (auto group = limit_->group()) {
            return machine_cgroups()->resolve(group->directory);
        }
    }
    return tree_group_ ? machine_cgroups()->resolve(tree_group_->dir().directory) : std::string();
}

supervise::DeathNote LiveRun::death_note() const {
    return {(run_dir_ / rundir::kSupervisorLogFile).string(),
            fmt::format(R"({{"ev":"supervisor_lost","attempt":{},"pid":{},)", options_.attempt,
                        ::getpid())};
}

void LiveRun::started(pid_t pid) {
    pid_ = pid;
    if (limit_) {
        limit_->attach(pid);
    }
    sample::SamplerOptions sampler;
    sampler.root = pid;
    sampler.subreaper = ::getpid();
    sampler.output = run_dir_ / rundir::kSamplesFile;
    sampler.interval = options_.interval;
    if (limit_) {
        if (auto group = limit_->group()) {
            sampler.cgroup = sample::CgroupLocation{group->version, "", group->directory};
        }
        sampler.on_sample = [this](const sample::Sample& sample) {
            std::vector<pid_t> tree;
            tree.reserve(sample.procs.size());
            for (const auto& process : sample.procs) {
                tree.push_back(process.pid);
            }
            limit_->on_sample(sample.ns, sample.rss, tree);
        };
    }
    try {
        sampler_ = std::make_unique<sample::Sampler>(std::move(sampler));
    } catch (const Error& error) {
        log_.write("note", {{"text", std::string("no memory trail: ") + error.what()}});
    }
}

std::optional<base::WriteLoss> LiveRun::trail_loss() const {
    return sampler_ ? sampler_->trail_loss() : std::nullopt;
}

void LiveRun::tick() {
    watch_.refresh();
    captures_.follow(watch_);
    {
        std::lock_guard lock(processes_mutex_);
        processes_ = watch_.processes();
    }
    if (hang_) {
        hang_->check(watch_, base::monotonic_ns());
    }
}

std::string LiveRun::status(std::size_t columns) const {
    live::MemoryNow memory;
    if (sampler_) {
        if (auto sample = sampler_->latest()) {
            memory.tree_rss = sample->rss;
            memory.mem_available = sample->mem.available;
        }
    }
    if (limit_) {
        memory.limit = limit_->bytes();
    }
    return live::status_text(watch_, memory, base::monotonic_ns(), columns);
}

void LiveRun::on_threshold(std::int64_t, std::uint64_t usage, std::uint64_t threshold) {
    // On the notifier's (or the sampler's) thread: the test that allocates may be milliseconds
    // from the kill, so the dump is asked for here and now, from every process running a test.
    std::vector<live::LiveProcess> processes;
    {
        std::lock_guard lock(processes_mutex_);
        processes = processes_;
    }
    auto reason =
        fmt::format("memory: {} in use, past {} ({:.0f}% of the {} limit)",
                    base::format_size(usage), base::format_size(threshold),
                    options_.dump_fraction * 100, base::format_size(limit_ ? limit_->bytes() : 0));
    for (const auto& process : processes) {
        if (process.finished || process.controller) {
            continue;
        }
        if (live::request_stack_dump(process, reason)) {
            log_.write("dump", {{"pid", process.files.pid},
                                {"attempt", process.files.attempt},
                                {"reason", reason}});
        }
    }
}

void LiveRun::write_leftovers(const supervise::SessionResult& result) {
    if (result.leftovers.empty()) {
        return;
    }
    nlohmann::json processes = nlohmann::json::array();
    for (const auto& left : result.leftovers) {
        const auto& process = left.process;
        processes.push_back({{"pid", process.pid},
                             {"command", process.command},
                             {"in_group", left.in_group},
                             {"stopped", left.stopped},
                             {"started_ns", sample::start_monotonic_ns(process.starttime)}});
    }
    log_.write("leftovers", {{"attempt", options_.attempt}, {"processes", std::move(processes)}});
}

void LiveRun::finished(const supervise::SessionResult& result) {
    if (sampler_) {
        sampler_->stop();
    }
    write_leftovers(result);
    watch_.refresh();
    captures_.save_unfinished(watch_);
    if (limit_) {
        if (auto kill = limit_->watchdog_kill()) {
            log_.write("memory_limit",
                       {{"pid", 0},
                        {"attempt", options_.attempt},
                        {"evidence", fmt::format("the memory watchdog killed the tree when its "
                                                 "RSS reached {} (limit {})",
                                                 base::format_size(kill->rss_bytes),
                                                 base::format_size(kill->limit_bytes))}});
        }
    }
    // Which of the processes that died could the OOM killer have taken?
    std::vector<pid_t> dead;
    if (result.status.signal() == SIGKILL) {
        dead.push_back(result.pid);
    }
    for (const auto& process : watch_.processes()) {
        if (!process.finished && process.files.pid != result.pid) {
            dead.push_back(static_cast<pid_t>(process.files.pid));
        }
    }
    if (dead.empty() || !oom_watch_) {
        return;
    }
    auto verdict = limit::judge_oom(oom_watch_->observe(), dead);
    if (verdict.oom) {
        log_.write("oom", {{"pid", verdict.pid ? *verdict.pid : 0},
                           {"attempt", options_.attempt},
                           {"evidence", verdict.evidence}});
    }
}

}  // namespace blackbox::record
