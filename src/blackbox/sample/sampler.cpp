#include <csignal>
#include <ctime>
#include <exception>
#include <pthread.h>
#include <system_error>

#include <fmt/format.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/sample/sampler.hpp>
#include <blackbox/sample/trail_format.hpp>

namespace blackbox::sample {

namespace {

std::int64_t to_ns(std::chrono::duration<double> duration) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
}

SamplerOptions validated(SamplerOptions&& options) {
    if (options.root <= 0) {
        throw Error("sampler: no process to sample");
    }
    if (options.interval.count() < 0.001 || options.top_interval.count() < 0.001) {
        throw Error("sampler: intervals must be at least 1 ms");
    }
    return options;
}

CollectorOptions collector_options(const SamplerOptions& options) {
    CollectorOptions collector;
    collector.fs = options.fs;
    collector.root = options.root;
    collector.subreaper = options.subreaper;
    collector.cgroup = options.cgroup;
    collector.top_count = options.top_count;
    // PSS at most every 5th sample (250 ms at the default 50 ms), within 0.4% of one core.
    collector.pss_interval_ns = 5 * to_ns(options.interval);
    return collector;
}

// Blocks every signal in the calling thread for its lifetime; restores the mask after.
class SignalsBlocked {
  public:
    SignalsBlocked() {
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved_);
    }
    ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
    SignalsBlocked(const SignalsBlocked&) = delete;
    SignalsBlocked& operator=(const SignalsBlocked&) = delete;

  private:
    sigset_t saved_{};
};

}  // namespace

Sampler::Sampler(SamplerOptions options)
    : options_(validated(std::move(options))),
      collector_(collector_options(options_)),
      writer_(options_.output),
      header_(collector_.header(base::monotonic_ns(), options_.interval.count(),
                                options_.top_interval.count())),
      started_ns_(header_.ns) {
    writer_.append(encode_line(header_));
    // The thread inherits the mask: signals sent to the process go to the main thread.
    SignalsBlocked blocked;
    try {
        thread_ = std::thread([this] { run(); });
    } catch (const std::system_error& error) {
        throw Error(std::string("cannot start the sampler thread: ") + error.what());
    }
}

Sampler::~Sampler() {
    stop();
}

void Sampler::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
    SamplerStats final_stats = stats();
    {
        std::lock_guard lock(mutex_);
        if (stopped_note_written_) {
            return;
        }
        stopped_note_written_ = true;
    }
    double elapsed_s = static_cast<double>(final_stats.elapsed_ns) / 1e9;
    auto share = [&](std::int64_t cpu_ns) {
        return final_stats.elapsed_ns > 0 ? 100.0 * static_cast<double>(cpu_ns) /
                                                static_cast<double>(final_stats.elapsed_ns)
                                          : 0.0;
    };
    note("stopped", fmt::format("{} samples in {:.1f} s; the sampler used {:.2f}% of one core, "
                                "{:.2f}% in {} PSS reads",
                                final_stats.samples, elapsed_s, share(final_stats.cpu_ns),
                                share(final_stats.pss.cpu_ns), final_stats.pss.reads));
}

std::optional<Sample> Sampler::latest() const {
    std::lock_guard lock(mutex_);
    return latest_;
}

void Sampler::note(const std::string& what, const std::string& text, std::optional<pid_t> pid) {
    writer_.append(encode_line(Note{base::monotonic_ns(), what, text, pid}));
}

SamplerStats Sampler::stats() const {
    SamplerStats copy;
    {
        std::lock_guard lock(mutex_);
        copy = stats_;
    }
    copy.write_errno = writer_.failure();
    return copy;
}

void Sampler::sample_once(bool with_top) {
    Sample sample = collector_.collect(base::monotonic_ns());
    writer_.append(encode_line(sample));
    if (with_top) {
        writer_.append(encode_line(collector_.top(base::monotonic_ns())));
    }
    {
        std::lock_guard lock(mutex_);
        latest_ = sample;
        ++stats_.samples;
        stats_.tops += with_top ? 1 : 0;
        stats_.cpu_ns = base::thread_cpu_ns();
        stats_.pss = collector_.pss_cost();
        stats_.elapsed_ns = base::monotonic_ns() - started_ns_;
    }
    if (options_.on_sample) {
        options_.on_sample(sample);
    }
}

void Sampler::fail(const std::string& why) {
    {
        std::lock_guard lock(mutex_);
        stats_.failure = why;
    }
    try {
        note("error", "the sampler stopped: " + why);
    } catch (...) {
        // Out of memory while reporting: the failure stays in stats().
    }
}

void Sampler::run() noexcept {
    // Named, so top -H and perf show what costs what.
    pthread_setname_np(pthread_self(), "blackbox-sample");
    try {
        const std::int64_t interval_ns = to_ns(options_.interval);
        const std::int64_t top_interval_ns = to_ns(options_.top_interval);
        std::int64_t next = base::monotonic_ns();
        std::int64_t next_top = next;
        for (;;) {
            std::int64_t now = base::monotonic_ns();
            bool with_top = now >= next_top;
            sample_once(with_top);
            if (with_top) {
                next_top = now + top_interval_ns;
            }
            // Fixed rate; after a stall (a suspended machine), resume without a burst.
            next += interval_ns;
            now = base::monotonic_ns();
            if (next <= now) {
                next = now + interval_ns;
            }
            // steady_clock is CLOCK_MONOTONIC on Linux: the same axis as monotonic_ns().
            std::chrono::steady_clock::time_point deadline{std::chrono::nanoseconds(next)};
            std::unique_lock lock(mutex_);
            if (wake_.wait_until(lock, deadline, [this] { return stopping_; })) {
                return;
            }
        }
    } catch (const std::exception& error) {
        fail(error.what());
    } catch (...) {
        fail("unknown exception");
    }
}

}  // namespace blackbox::sample
