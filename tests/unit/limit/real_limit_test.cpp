// Memory limits for real: a child that outgrows a cgroup limit is OOM-killed by the kernel after
// the threshold was announced, a group with a process left inside is emptied and removed, the
// watchdog kills a whole process group. The cgroup tests need a cgroup this machine lets us make
// (root with cgroup v1, or a delegated v2 memory controller); elsewhere they are skipped, saying
// why.

#include <atomic>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <string>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/limit/memory_limit.hpp>
#include <blackbox/limit/oom_evidence.hpp>

namespace blackbox::limit {
namespace {

constexpr std::uint64_t MiB = 1024 * 1024;
constexpr std::uint64_t kLimit = 64 * MiB;

LimitOptions limit_of(std::uint64_t bytes) {
    LimitOptions options;
    options.bytes = bytes;
    return options;
}

std::string reasons_of(const MemoryLimit& limit) {
    std::string text;
    for (const auto& reason : limit.reasons()) {
        text += "\n  " + reason;
    }
    return text;
}

void sleep_ms(long ms) {
    const timespec step{ms / 1000, (ms % 1000) * 1'000'000};
    ::nanosleep(&step, nullptr);
}

// Forks a child that performs `writes` as the supervisor's child would before exec, then runs
// `body` (only async-signal-safe calls and plain memory writes: the parent may have threads).
template <typename Body>
pid_t fork_into(const std::vector<supervise::PreExecWrite>& writes, Body body) {
    std::vector<const supervise::PreExecWrite*> plan;
    for (const auto& write : writes) {
        plan.push_back(&write);
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        for (const auto* write : plan) {
            const int fd = ::open(write->path.c_str(), O_WRONLY | O_CLOEXEC);
            if ((fd < 0 || !base::write_all(fd, write->bytes.data(), write->bytes.size())) &&
                write->required) {
                ::_exit(120);
            }
            ::close(fd);
        }
        body();
        ::_exit(0);
    }
    return pid;
}

// Maps and touches `count` chunks of `chunk` bytes, pausing `pause_ms` after each.
void allocate_chunks(std::size_t chunk, int count, long pause_ms) {
    for (int i = 0; i < count; ++i) {
        void* memory =
            ::mmap(nullptr, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) {
            ::_exit(121);
        }
        volatile char* bytes = static_cast<char*>(memory);
        for (std::size_t offset = 0; offset < chunk; offset += 4096) {
            bytes[offset] = 1;
        }
        sleep_ms(pause_ms);
    }
}

[[noreturn]] void sleep_forever() {
    for (;;) {
        ::pause();
    }
}

int wait_for(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

// The state letter of /proc/<pid>/stat ('R', 'S', 'Z'...), '?' when gone.
char process_state(pid_t pid) {
    auto stat = base::read_file("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) {
        return '?';
    }
    auto close = stat->rfind(')');
    return close != std::string::npos && close + 2 < stat->size() ? (*stat)[close + 2] : '?';
}

bool lists(const std::string& group, pid_t pid) {
    auto procs = base::read_file(group + "/cgroup.procs");
    return procs && ("\n" + *procs).find("\n" + std::to_string(pid) + "\n") != std::string::npos;
}

TEST(RealCgroupLimit, ChildOutgrowingTheLimitIsOomKilledAfterTheThresholdFired) {
    std::mutex mutex;
    std::vector<ThresholdCrossing> crossings;
    std::atomic<pid_t> child{0};
    char state_at_threshold = '?';
    LimitOptions options = limit_of(kLimit);
    options.threshold_fraction =
        0.7;  // 44.8 MiB: crossed by the third chunk, a pause before the 4th
    options.on_threshold = [&](const ThresholdCrossing& crossing) {
        std::lock_guard lock(mutex);
        crossings.push_back(crossing);
        state_at_threshold = process_state(child.load());
    };
    MemoryLimit limit(options);
    if (limit.kind() == LimitKind::watchdog) {
        GTEST_SKIP() << "no cgroup can be made here:" << reasons_of(limit);
    }
    OomWatch watch(std::make_shared<CgroupFs>(), limit.group());

    const pid_t pid = fork_into(limit.pre_exec_writes(), [] { allocate_chunks(16 * MiB, 8, 300); });
    ASSERT_GT(pid, 0);
    child = pid;
    const int status = wait_for(pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status) << reasons_of(limit);
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    EXPECT_GE(limit.oom_kills().value_or(0), 1u);
    {
        std::lock_guard lock(mutex);
        ASSERT_FALSE(crossings.empty()) << limit.threshold_source();
        EXPECT_EQ(crossings[0].threshold_bytes, limit.threshold_bytes());
        EXPECT_GE(crossings[0].usage_bytes, crossings[0].threshold_bytes);
        EXPECT_LT(crossings[0].usage_bytes, kLimit);
        EXPECT_NE(state_at_threshold, 'Z');  // alive when we were told
        EXPECT_NE(state_at_threshold, '?');
    }

    auto seen = watch.observe();
    auto verdict = judge_oom(seen, {pid});
    EXPECT_TRUE(verdict.oom) << verdict.evidence;
    if (seen.log_readable) {
        EXPECT_EQ(verdict.pid, pid);
        EXPECT_NE(verdict.evidence.find("Killed process " + std::to_string(pid)), std::string::npos)
            << verdict.evidence;
    }

    const std::string dir = limit.group()->directory;
    EXPECT_TRUE(limit.release().removed);
    EXPECT_NE(::access(dir.c_str(), F_OK), 0) << dir;
}

TEST(RealCgroupLimit, TheGroupIsEmptiedAndRemovedWithAProcessLeftInside) {
    std::string dir;
    pid_t pid = -1;
    {
        MemoryLimit limit(limit_of(kLimit));
        if (limit.kind() == LimitKind::watchdog) {
            GTEST_SKIP() << "no cgroup can be made here:" << reasons_of(limit);
        }
        dir = limit.group()->directory;
        pid = fork_into(limit.pre_exec_writes(), [] { sleep_forever(); });
        ASSERT_GT(pid, 0);
        for (int i = 0; i < 200 && !lists(dir, pid); ++i) {
            sleep_ms(10);
        }
        ASSERT_TRUE(lists(dir, pid));
    }
    EXPECT_NE(::access(dir.c_str(), F_OK), 0) << dir;
    const int status = wait_for(pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

TEST(RealCgroupLimit, AnOomWithoutALimitIsTold) {
    // Without a limit, the cgroup we run in is the witness: nothing happened, so it says so.
    auto fs = std::make_shared<CgroupFs>();
    OomWatch watch(fs, memory_cgroup(find_cgroups(*fs)));
    auto verdict = judge_oom(watch.observe(std::chrono::milliseconds(0)), {::getpid()});
    EXPECT_FALSE(verdict.oom);
    EXPECT_EQ(verdict.evidence.rfind("no sign of the OOM killer", 0), 0u) << verdict.evidence;
}

TEST(RealWatchdog, KillsAProcessGroupWhoseReportedRssExceedsTheLimit) {
    std::vector<ThresholdCrossing> crossings;
    LimitOptions options = limit_of(kLimit);
    options.use_cgroups = false;
    options.on_threshold = [&](const ThresholdCrossing& crossing) {
        crossings.push_back(crossing);
    };
    MemoryLimit limit(options);
    ASSERT_EQ(limit.kind(), LimitKind::watchdog);

    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    const pid_t pid = fork_into({}, [&fds] {
        ::setpgid(0, 0);
        const pid_t grandchild = ::fork();
        if (grandchild == 0) {
            sleep_forever();
        }
        [[maybe_unused]] auto written = ::write(fds[1], &grandchild, sizeof grandchild);
        sleep_forever();
    });
    ASSERT_GT(pid, 0);
    ::setpgid(pid, pid);  // either of us may be first
    ::close(fds[1]);
    pid_t grandchild = -1;
    ASSERT_EQ(::read(fds[0], &grandchild, sizeof grandchild),
              static_cast<ssize_t>(sizeof grandchild));
    ::close(fds[0]);

    limit.attach(pid);
    limit.on_sample(base::monotonic_ns(), 10 * MiB);
    EXPECT_EQ(limit.watchdog_kill(), std::nullopt);
    limit.on_sample(base::monotonic_ns(), 60 * MiB);
    EXPECT_EQ(crossings.size(), 1u);
    EXPECT_EQ(limit.watchdog_kill(), std::nullopt);
    const std::int64_t at = base::monotonic_ns();
    limit.on_sample(at, 65 * MiB);

    const int status = wait_for(pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    EXPECT_EQ(limit.watchdog_kill(), (WatchdogKill{at, 65 * MiB, kLimit, pid, true}));
    // The grandchild went too (it is not ours: gone, or a zombie of its new parent).
    char state = process_state(grandchild);
    for (int i = 0; i < 200 && state != '?' && state != 'Z'; ++i) {
        sleep_ms(10);
        state = process_state(grandchild);
    }
    EXPECT_TRUE(state == '?' || state == 'Z') << state;
}

TEST(RealWatchdog, KillsAProcessThatLeftTheGroupWithTheTree) {
    LimitOptions options = limit_of(kLimit);
    options.use_cgroups = false;
    MemoryLimit limit(options);
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    const pid_t pid = fork_into({}, [&fds] {
        ::setpgid(0, 0);
        const pid_t escaped = ::fork();
        if (escaped == 0) {
            ::setsid();  // the memory hog that left: not reached by kill(-group)
            sleep_forever();
        }
        [[maybe_unused]] auto written = ::write(fds[1], &escaped, sizeof escaped);
        sleep_forever();
    });
    ASSERT_GT(pid, 0);
    ::setpgid(pid, pid);
    ::close(fds[1]);
    pid_t escaped = -1;
    ASSERT_EQ(::read(fds[0], &escaped, sizeof escaped), static_cast<ssize_t>(sizeof escaped));
    ::close(fds[0]);
    for (int i = 0; i < 200 && ::getpgid(escaped) != escaped; ++i) {
        sleep_ms(5);  // until it has its own session
    }

    limit.attach(pid);
    limit.on_sample(base::monotonic_ns(), 65 * MiB, {pid, escaped});  // the sampled tree

    const int status = wait_for(pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    char state = process_state(escaped);
    for (int i = 0; i < 200 && state != '?' && state != 'Z'; ++i) {
        sleep_ms(10);
        state = process_state(escaped);
    }
    EXPECT_TRUE(state == '?' || state == 'Z') << state;
    if (state != '?' && state != 'Z') {
        ::kill(escaped, SIGKILL);
    }
}

}  // namespace
}  // namespace blackbox::limit
