#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <blackbox/base/file_io.hpp>
#include <blackbox/supervise/dead_man_switch.hpp>

namespace blackbox::supervise {

namespace {

// One message on the channel: a kind byte and a pid, sent whole (the reader still reassembles
// it should it arrive in pieces).
constexpr char kArm = 'A';
constexpr char kDisarm = 'D';
constexpr std::size_t kMessageSize = 1 + sizeof(std::int32_t);

// The watcher's descriptors once it has tidied up.
constexpr int kWatchFd = 3;
constexpr int kReadyFd = 4;
constexpr int kFirstOther = 5;

// How long the watcher keeps emptying the cgroup: 400 rounds of 5 ms (a process in
// uninterruptible sleep takes its time to die).
constexpr int kKillRounds = 400;
constexpr long kRoundNs = 5'000'000;
// Distinct members remembered for the count (more are signalled, counted once each round).
constexpr int kRemembered = 256;
// The note's prefix is cut at this many bytes.
constexpr std::size_t kPrefixMax = 256;

// Everything the watcher needs, prepared before fork as plain pointers.
struct WatchPlan {
    const char* cgroup;  // "" for none
    const char* cgroup_kill;
    const char* cgroup_procs;
    const char* note_path;  // "" for none
    const char* note_prefix;
    std::size_t note_prefix_size;
    int watch_fd;
    int ready_fd;
};

void pause_a_round() noexcept {
    const timespec step{0, kRoundNs};
    ::nanosleep(&step, nullptr);
}

// Appends the decimal digits of `value` at `out`; returns the end. Async-signal-safe.
char* append_decimal(char* out, std::uint64_t value) noexcept {
    char digits[24];
    int count = 0;
    do {
        digits[count++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (count > 0) {
        *out++ = digits[--count];
    }
    return out;
}

char* append_text(char* out, const char* text, std::size_t size) noexcept {
    std::memcpy(out, text, size);
    return out + size;
}

// One pass over cgroup.procs: SIGKILL every member (never ourselves); `killed` counts the
// distinct ones signalled (as far as `seen` remembers them).
void kill_members(const WatchPlan& plan, pid_t* seen, int& seen_count, int& killed) noexcept {
    const int fd = ::open(plan.cgroup_procs, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return;
    }
    const pid_t self = ::getpid();
    char buffer[4096];
    std::uint64_t number = 0;
    bool in_number = false;
    const auto finish_number = [&]() noexcept {
        if (!in_number) {
            return;
        }
        in_number = false;
        const auto pid = static_cast<pid_t>(number);
        number = 0;
        if (pid <= 0 || pid == self) {
            return;
        }
        if (::kill(pid, SIGKILL) != 0) {
            return;
        }
        for (int i = 0; i < seen_count; ++i) {
            if (seen[i] == pid) {
                return;
            }
        }
        ++killed;
        if (seen_count < kRemembered) {
            seen[seen_count++] = pid;
        }
    };
    for (;;) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        for (ssize_t i = 0; i < got; ++i) {
            const char c = buffer[i];
            if (c >= '0' && c <= '9') {
                in_number = true;
                number = number * 10 + static_cast<std::uint64_t>(c - '0');
                if (number > 0x7fffffff) {
                    number = 0x7fffffff;
                }
            } else {
                finish_number();
            }
        }
    }
    finish_number();
    ::close(fd);
}

// The supervisor is gone: stop what it ran, say so, leave.
[[noreturn]] void fire(const WatchPlan& plan, pid_t process_group) noexcept {
    const bool group_killed = process_group > 0 && ::kill(-process_group, SIGKILL) == 0;
    int killed = 0;
    if (plan.cgroup[0] != '\0') {
        pid_t seen[kRemembered];
        int seen_count = 0;
        // Each member by pid first (counted), then cgroup.kill (v2, 5.14+), which also catches
        // a fork in flight; then by pid again until the group is empty.
        kill_members(plan, seen, seen_count, killed);
        const int kill_fd = ::open(plan.cgroup_kill, O_WRONLY | O_CLOEXEC);
        if (kill_fd >= 0) {
            [[maybe_unused]] auto written = ::write(kill_fd, "1", 1);
            ::close(kill_fd);
        }
        // rmdir fails (EBUSY) while a member is still exiting, even once cgroup.procs no longer
        // lists it: kill and retry until it is gone.
        for (int round = 0; round < kKillRounds; ++round) {
            kill_members(plan, seen, seen_count, killed);
            if (::rmdir(plan.cgroup) == 0 || errno != EBUSY) {
                break;
            }
            pause_a_round();
        }
    }
    if (plan.note_path[0] != '\0') {
        timespec now{};
        ::clock_gettime(CLOCK_MONOTONIC, &now);
        const auto ns = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000ULL +
                        static_cast<std::uint64_t>(now.tv_nsec);
        char line[kPrefixMax + 128];
        char* end = append_text(line, plan.note_prefix, plan.note_prefix_size);
        static constexpr char kNs[] = "\"ns\":";
        static constexpr char kGroup[] = ",\"group_killed\":";
        static constexpr char kCgroup[] = ",\"cgroup_killed\":";
        end = append_text(end, kNs, sizeof kNs - 1);
        end = append_decimal(end, ns);
        end = append_text(end, kGroup, sizeof kGroup - 1);
        end = group_killed ? append_text(end, "true", 4) : append_text(end, "false", 5);
        end = append_text(end, kCgroup, sizeof kCgroup - 1);
        end = append_decimal(end, static_cast<std::uint64_t>(killed));
        end = append_text(end, "}\n", 2);
        const int fd =
            ::open(plan.note_path,
                   O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
        if (fd >= 0) {
            base::write_all(fd, line, static_cast<std::size_t>(end - line));
            ::close(fd);
        }
    }
    ::_exit(0);
}

// The watcher's life, in the grandchild of the supervisor: async-signal-safe calls only.
[[noreturn]] void watch_for_death(const WatchPlan& plan) noexcept {
    ::setsid();
    // Our two descriptors to 3 and 4 (through copies above both, so neither clobbers the
    // other), everything else inherited closed: the watcher must hold none of the supervisor's
    // pipes open (the command's output would never reach end-of-file) nor its terminal.
    const int watch_copy = ::fcntl(plan.watch_fd, F_DUPFD, 10);
    const int ready_copy = ::fcntl(plan.ready_fd, F_DUPFD, 10);
    if (watch_copy < 0 || ready_copy < 0 || ::dup2(watch_copy, kWatchFd) < 0 ||
        ::dup2(ready_copy, kReadyFd) < 0) {
        ::_exit(1);
    }
    if (::syscall(SYS_close_range, kFirstOther, ~0U, 0) != 0) {
        for (int fd = kFirstOther; fd < 65536; ++fd) {
            ::close(fd);
        }
    }
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
        for (int fd = 0; fd < 3; ++fd) {
            ::dup2(null, fd);
        }
        if (null > 2) {
            ::close(null);
        }
    }
    // Default dispositions (the supervisor's handlers write to a pipe the watcher closed), but
    // SIGPIPE ignored: the ready pipe's reader may be gone already. Then nothing blocked.
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    for (int sig = 1; sig < NSIG; ++sig) {
        ::sigaction(sig, &action, nullptr);
    }
    action.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &action, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);

    const std::int32_t self = ::getpid();
    [[maybe_unused]] auto told = ::write(kReadyFd, &self, sizeof self);
    ::close(kReadyFd);

    pid_t process_group = 0;
    char message[kMessageSize];
    std::size_t have = 0;
    for (;;) {
        const ssize_t got = ::read(kWatchFd, message + have, kMessageSize - have);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            fire(plan, process_group);  // end of file: the supervisor is gone
        }
        have += static_cast<std::size_t>(got);
        if (have < kMessageSize) {
            continue;
        }
        have = 0;
        if (message[0] == kDisarm) {
            ::_exit(0);
        }
        if (message[0] == kArm) {
            std::int32_t group = 0;
            std::memcpy(&group, message + 1, sizeof group);
            process_group = group;
        }
    }
}

// Never raises SIGPIPE (MSG_NOSIGNAL): a watcher that is gone must not take us with it.
void send_message(int fd, char kind, std::int32_t value) noexcept {
    char message[kMessageSize];
    message[0] = kind;
    std::memcpy(message + 1, &value, sizeof value);
    std::size_t sent = 0;
    while (sent < sizeof message) {
        const ssize_t n = ::send(fd, message + sent, sizeof message - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        sent += static_cast<std::size_t>(n);
    }
}

}  // namespace

DeadManSwitch::DeadManSwitch(std::string cgroup, DeathNote note)
    : cgroup_(std::move(cgroup)), note_(std::move(note)) {
    if (note_.prefix.size() > kPrefixMax) {
        note_.prefix.resize(kPrefixMax);
    }
    // When we are the last process of our pid namespace (pid 1), our death kills every process
    // in it: nothing to watch for.
    if (::getpid() == 1) {
        return;
    }
    const std::string cgroup_kill = cgroup_.empty() ? "" : cgroup_ + "/cgroup.kill";
    const std::string cgroup_procs = cgroup_.empty() ? "" : cgroup_ + "/cgroup.procs";
    // The channel is a socket pair rather than a pipe only so that writing to a watcher that is
    // gone fails with EPIPE instead of raising SIGPIPE; end-of-file works the same.
    int watch[2];
    int ready[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, watch) != 0) {
        return;
    }
    if (::pipe2(ready, O_CLOEXEC) != 0) {
        ::close(watch[0]);
        ::close(watch[1]);
        return;
    }
    const WatchPlan plan{cgroup_.c_str(),
                         cgroup_kill.c_str(),
                         cgroup_procs.c_str(),
                         note_.path.c_str(),
                         note_.prefix.c_str(),
                         note_.prefix.size(),
                         watch[0],
                         ready[1]};
    // Every signal blocked across the forks, so none of our handlers runs in the copies before
    // the watcher resets them.
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &previous);
    const pid_t middle = ::fork();
    if (middle == 0) {
        // The middle process exists only so that the watcher is not our child: it is
        // reparented to init (or another subreaper above us) and reaped there.
        if (::fork() == 0) {
            watch_for_death(plan);
        }
        ::_exit(0);
    }
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    ::close(watch[0]);
    ::close(ready[1]);
    if (middle < 0) {
        ::close(watch[1]);
        ::close(ready[0]);
        return;
    }
    int status = 0;
    while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
    }
    std::int32_t watcher = 0;
    std::size_t got = 0;
    while (got < sizeof watcher) {
        const ssize_t n =
            ::read(ready[0], reinterpret_cast<char*>(&watcher) + got, sizeof watcher - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(ready[0]);
    if (got != sizeof watcher) {
        ::close(watch[1]);  // the watcher died before it was ready
        return;
    }
    pid_ = watcher;
    write_fd_ = watch[1];
}

DeadManSwitch::~DeadManSwitch() {
    disarm();
}

void DeadManSwitch::arm(pid_t process_group) noexcept {
    if (write_fd_ >= 0) {
        send_message(write_fd_, kArm, static_cast<std::int32_t>(process_group));
    }
}

void DeadManSwitch::disarm() noexcept {
    if (write_fd_ < 0) {
        return;
    }
    send_message(write_fd_, kDisarm, 0);
    ::close(write_fd_);
    write_fd_ = -1;
}

}  // namespace blackbox::supervise
