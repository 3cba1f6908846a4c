#pragma once

// Everything that watches a command while it runs, set up around one supervised session: the
// memory limit (made before the command starts, which joins it before exec), the sampler, the
// live watch of the journals, the hang watchdog, the stack dumps near the limit, the status
// line, and afterwards the OOM evidence. Verdicts go to supervisor.jsonl, which the
// post-mortem reads.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/limit/memory_limit.hpp>
#include <blackbox/limit/oom_evidence.hpp>
#include <blackbox/live/capture_keeper.hpp>
#include <blackbox/live/hang_watchdog.hpp>
#include <blackbox/live/run_watch.hpp>
#include <blackbox/live/supervisor_log.hpp>
#include <blackbox/sample/sampler.hpp>
#include <blackbox/supervise/pre_exec_write.hpp>
#include <blackbox/supervise/session.hpp>

namespace blackbox::record {

struct WatchOptions {
    int attempt = 1;
    std::chrono::duration<double> interval{0.05};  // sampling interval
    std::optional<std::uint64_t> memory_max;       // bytes; the tree's limit
    bool memory_max_watchdog_only = false;         // never a cgroup (tests, comparisons)
    double dump_fraction = 0.9;                    // stacks asked for at this fraction
    std::optional<std::chrono::duration<double>> hang_timeout;
    int oom_score_adj = 500;  // 0: leave it
    // Put the command's tree in a cgroup of its own when the limit made none, wherever the
    // machine allows (limit/tree_group.hpp); false (--no-cgroup): never a cgroup, the limit
    // too is left to the watchdog.
    bool tree_cgroup = true;
};

class LiveRun {
  public:
    // Sets up the limit (the command joins it before exec) and the OOM witnesses.
    LiveRun(const WatchOptions& options, const std::filesystem::path& run_dir);
    ~LiveRun();
    LiveRun(const LiveRun&) = delete;
    LiveRun& operator=(const LiveRun&) = delete;

    // What the command must do between fork and exec (join the limit, raise oom_score_adj).
    std::vector<supervise::PreExecWrite> pre_exec_writes() const;
    // The mailbox to which the plugin hands its capture files (BLACKBOX_CAPTURE_SOCKET).
    const std::string& capture_socket() const noexcept { return captures_.address(); }

    // One line saying how the limit is enforced, or "" without a limit.
    std::string describe_limit() const;
    // The cgroup directory that holds the command's tree (the limit's, or one made to follow
    // the tree), or "" without one.
    std::string tree_cgroup() const;
    // What the dead man's switch writes to supervisor.jsonl if the supervisor dies.
    supervise::DeathNote death_note() const;

    // The command started: the limit attaches to it and the sampler starts.
    void started(pid_t pid);
    // Every supervisor tick: follow the journals, the hang watchdog.
    void tick();
    // The status line for `columns`.
    std::string status(std::size_t columns) const;
    // The command ended: stop sampling, establish OOM deaths, write the verdicts.
    void finished(const supervise::SessionResult& result);
    // The trail lines that could not be written (a full disk), if any.
    std::optional<base::WriteLoss> trail_loss() const;
    // The supervisor.jsonl records that could not be written (a full disk), if any.
    std::optional<base::WriteLoss> verdict_loss() const { return log_.loss(); }

  private:
    void on_threshold(std::int64_t ns, std::uint64_t usage, std::uint64_t threshold);
    void write_leftovers(const supervise::SessionResult& result);

    WatchOptions options_;
    std::filesystem::path run_dir_;
    live::SupervisorLog log_;
    live::RunWatch watch_;
    live::CaptureKeeper captures_;
    std::optional<live::HangWatchdog> hang_;
    std::optional<limit::MemoryLimit> limit_;
    std::optional<limit::OwnedCgroup> tree_group_;  // when the limit gave no group
    std::optional<limit::OomWatch> oom_watch_;
    std::unique_ptr<sample::Sampler> sampler_;
    pid_t pid_ = 0;

    // The processes as the last tick saw them, for the threshold callback's thread.
    mutable std::mutex processes_mutex_;
    std::vector<live::LiveProcess> processes_;
};

}  // namespace blackbox::record
