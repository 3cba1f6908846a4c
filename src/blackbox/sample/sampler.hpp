#pragma once

// The sampler thread: every `interval` it samples the command's process tree and the machine
// (Collector) and appends the sample to samples.jsonl (docs/formats/samples.md); every
// `top_interval` it adds the machine's largest processes. docs/sampling.md has the rates and
// their measured cost (about 0.4% of one core at the default 50 ms; with the PSS of a tree of
// several processes, read at a lower rate within 0.4% more, about 0.85%).
//
// Never fails the run: an unwritable trail (full disk, read-only directory) stops the writing
// and sampling goes on in memory (latest()); an exception inside the loop is caught at the loop
// boundary, noted once in the trail and in stats(), and ends the sampling — not the supervisor.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>

#include <blackbox/sample/collector.hpp>
#include <blackbox/sample/records.hpp>
#include <blackbox/sample/trail_writer.hpp>

namespace blackbox::sample {

struct SamplerOptions {
    pid_t root = 0;                // the command (required, > 0)
    pid_t subreaper = 0;           // the supervisor when a child subreaper, else 0
    std::filesystem::path output;  // samples.jsonl; empty: in memory only
    std::chrono::duration<double> interval{0.05};
    std::chrono::duration<double> top_interval{2.0};
    std::size_t top_count = 10;
    // The memory cgroup to report (e.g. one the limit watchdog made for the command);
    // nullopt: the root's own, from /proc/<root>/cgroup.
    std::optional<CgroupLocation> cgroup;
    // Called on the sampler thread after each sample (watchdogs). Must not block for long: the
    // next sample waits for it. An exception from it stops the sampling (see above).
    std::function<void(const Sample&)> on_sample;
    ProcFs fs{"/"};  // the seam (tests: a recorded tree)
};

struct SamplerStats {
    std::size_t samples = 0;
    std::size_t tops = 0;
    std::optional<int> write_errno;      // why the trail stopped being written
    std::optional<std::string> failure;  // why the sampling stopped early
    std::int64_t cpu_ns = 0;             // CPU time the sampler thread used so far
    PssCost pss;                         // of which reading PSS
    std::int64_t elapsed_ns = 0;         // since the thread started
};

class Sampler {
  public:
    // Probes the machine, writes the header and starts the thread (with every signal blocked:
    // signals stay the main thread's), which takes the first sample at once. Throws
    // blackbox::Error only when the options are invalid or the thread cannot be started.
    explicit Sampler(SamplerOptions options);

    // stop().
    ~Sampler();
    Sampler(const Sampler&) = delete;
    Sampler& operator=(const Sampler&) = delete;

    // Stops the thread promptly (within one sample) and joins it; writes a last `note` ("stopped",
    // with the sampler's own cost). Idempotent. Not to be called from on_sample.
    void stop();

    // The last sample (a copy); nullopt before the first. Thread-safe.
    std::optional<Sample> latest() const;

    // Appends a `note` record now. Thread-safe; a no-op once the trail is unwritable.
    void note(const std::string& what, const std::string& text, std::optional<pid_t> pid = {});

    const SamplerHeader& header() const noexcept { return header_; }

    // Thread-safe.
    SamplerStats stats() const;

    // The trail lines that could not be written (a full disk), if any. Thread-safe.
    std::optional<base::WriteLoss> trail_loss() const { return writer_.loss(); }

  private:
    void run() noexcept;
    void sample_once(bool with_top);
    void fail(const std::string& why);

    SamplerOptions options_;
    Collector collector_;
    TrailWriter writer_;
    SamplerHeader header_;
    std::int64_t started_ns_ = 0;

    mutable std::mutex mutex_;  // guards the members below and wakes the thread
    std::condition_variable wake_;
    bool stopping_ = false;
    bool stopped_note_written_ = false;
    std::optional<Sample> latest_;
    SamplerStats stats_;

    std::thread thread_;  // last: started when everything above is ready
};

}  // namespace blackbox::sample
