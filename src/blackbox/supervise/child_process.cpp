#include <cerrno>
#include <ctime>
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/supervise/child_process.hpp>

namespace blackbox::supervise {

namespace {

// The destructor waits up to 200 x 5 ms for a killed group to be gone.
constexpr int kKillWaitSteps = 200;
constexpr long kKillWaitStepNs = 5'000'000;

// A PreExecWrite as plain pointers, built before fork.
struct ChildWrite {
    const char* path;
    const char* bytes;
    std::size_t size;
    bool required;
};

// What the child sends through the error pipe when it cannot exec: one write, far below
// PIPE_BUF, so the parent reads all of it or nothing.
struct SpawnFailure {
    int error;
    int write_index;  // the failed required PreExecWrite, or -1 (exec or another step)
};

// Plain views of a LaunchSpec, built before fork.
struct ExecPlan {
    const char* executable;
    char* const* argv;
    char* const* envp;
    int stdio[3];
    int controlling_terminal;
    int foreground_terminal;
    const SignalDisposition* dispositions;
    std::size_t disposition_count;
    const ChildWrite* writes;
    std::size_t write_count;
    int error_pipe;
    int parent_death_signal;
    pid_t parent;
};

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    pointers.reserve(strings.size() + 1);
    for (const auto& s : strings) {
        pointers.push_back(const_cast<char*>(s.c_str()));
    }
    pointers.push_back(nullptr);
    return pointers;
}

// Runs in the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void exec_in_child(const ExecPlan& plan) noexcept {
    auto fail = [&plan](int error, int write_index = -1) {
        const SpawnFailure failure{error, write_index};
        [[maybe_unused]] auto written = ::write(plan.error_pipe, &failure, sizeof failure);
        ::_exit(127);
    };
    if (plan.controlling_terminal >= 0) {
        if (::setsid() < 0 || ::ioctl(plan.controlling_terminal, TIOCSCTTY, 0) < 0) {
            fail(errno);
        }
    } else {
        if (::setpgid(0, 0) < 0) {
            fail(errno);
        }
        // Allowed from a background group because SIGTTOU is blocked; failure just leaves the
        // terminal with us, as if it were not a terminal.
        if (plan.foreground_terminal >= 0) {
            ::tcsetpgrp(plan.foreground_terminal, ::getpid());
        }
    }
    if (plan.parent_death_signal > 0) {
        // A refusal (a seccomp filter) leaves the child without it, as on other systems.
        ::prctl(PR_SET_PDEATHSIG, static_cast<unsigned long>(plan.parent_death_signal));
        if (::getppid() != plan.parent) {
            ::_exit(127);  // the parent died before the signal was armed: nobody supervises us
        }
    }
    for (std::size_t i = 0; i < plan.write_count; ++i) {
        const ChildWrite& action = plan.writes[i];
        const int fd = ::open(action.path, O_WRONLY | O_CLOEXEC);
        const bool written = fd >= 0 && base::write_all(fd, action.bytes, action.size);
        const int error = errno;
        if (fd >= 0) {
            ::close(fd);
        }
        if (!written && action.required) {
            fail(error, static_cast<int>(i));
        }
    }
    // Move the sources above 2 first, so that dup2 onto 0-2 never clobbers a source still to be
    // used and never meets dup2(fd, fd), which would keep FD_CLOEXEC.
    int sources[3];
    for (int i = 0; i < 3; ++i) {
        sources[i] = plan.stdio[i] >= 0 ? ::fcntl(plan.stdio[i], F_DUPFD_CLOEXEC, 3) : -1;
        if (plan.stdio[i] >= 0 && sources[i] < 0) {
            fail(errno);
        }
    }
    for (int i = 0; i < 3; ++i) {
        if (sources[i] >= 0 && ::dup2(sources[i], i) < 0) {
            fail(errno);
        }
    }
    for (std::size_t i = 0; i < plan.disposition_count; ++i) {
        ::sigaction(plan.dispositions[i].signal, &plan.dispositions[i].action, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(plan.executable, plan.argv, plan.envp);
    fail(errno);
    ::_exit(127);  // not reached; fail() does not return
}

void wait_blocking(pid_t pid) noexcept {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

SpawnResult spawn_child(const LaunchSpec& spec) {
    const std::string executable = spec.executable.string();
    auto argv = c_strings(spec.argv);
    auto envp = c_strings(spec.environment);

    std::vector<ChildWrite> writes;
    writes.reserve(spec.pre_exec_writes.size());
    for (const auto& action : spec.pre_exec_writes) {
        writes.push_back(
            {action.path.c_str(), action.bytes.data(), action.bytes.size(), action.required});
    }

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw Error(errno_message("cannot create a pipe", errno));
    }
    base::UniqueFd error_read(fds[0]);
    base::UniqueFd error_write(fds[1]);

    // All signals stay blocked in the child until its dispositions are reset, so none of our
    // handlers can run there (they would write to our signal pipe).
    sigset_t all;
    sigset_t previous_mask;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &previous_mask);

    const ExecPlan plan{executable.c_str(),
                        argv.data(),
                        envp.data(),
                        {spec.stdin_fd, spec.stdout_fd, spec.stderr_fd},
                        spec.controlling_terminal,
                        spec.foreground_terminal,
                        spec.signal_dispositions.data(),
                        spec.signal_dispositions.size(),
                        writes.data(),
                        writes.size(),
                        error_write.get(),
                        spec.parent_death_signal,
                        ::getpid()};
    const pid_t pid = ::fork();
    if (pid == 0) {
        exec_in_child(plan);
    }
    const int fork_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
    if (pid < 0) {
        throw Error(errno_message("cannot fork", fork_errno));
    }
    error_write.reset();

    // EOF: the exec happened (the pipe closed on exec). Until then the child is setting up, so
    // once this returns its process group (or session) exists.
    SpawnFailure failure{0, -1};
    std::size_t got = 0;
    while (got < sizeof failure) {
        ssize_t n =
            ::read(error_read.get(), reinterpret_cast<char*>(&failure) + got, sizeof failure - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    if (got == sizeof failure) {
        wait_blocking(pid);
        SpawnResult result{std::nullopt, failure.error, std::nullopt};
        if (failure.write_index >= 0) {
            result.failed_write = static_cast<std::size_t>(failure.write_index);
        }
        return result;
    }
    return {ChildProcess(pid), 0, std::nullopt};
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(std::move(other.status_)) {}

ChildProcess::~ChildProcess() {
    if (pid_ <= 0) {
        return;
    }
    if (!status_) {
        group().signal(SIGKILL);
        ::kill(pid_, SIGKILL);  // in case it left its group
        wait_blocking(pid_);
    } else if (group().alive()) {
        group().signal(SIGKILL);  // leftovers the owner did not get to
    }
    // Reap the killed members that are our children; bounded, a process in uninterruptible
    // sleep may take its time to die.
    for (int attempt = 0; attempt < kKillWaitSteps; ++attempt) {
        group().reap_exited_members(-1);
        if (!group().alive()) {
            break;
        }
        const timespec step{0, kKillWaitStepNs};
        ::nanosleep(&step, nullptr);
    }
}

void ChildProcess::try_wait() noexcept {
    siginfo_t info{};
    for (;;) {
        if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WSTOPPED | WNOHANG) == 0) {
            break;
        }
        if (errno != EINTR) {
            return;
        }
    }
    if (info.si_pid != pid_) {
        return;  // running, no change
    }
    if (info.si_code == CLD_STOPPED) {
        stopped_by_ = info.si_status;
        return;
    }
    try {
        status_ = ExitStatus::from_siginfo(info);
    } catch (...) {
        status_ = ExitStatus::exited(255);  // impossible with WEXITED alone
    }
}

void ChildProcess::reap() noexcept {
    if (pid_ <= 0) {
        return;
    }
    // A few rounds at most: the main child can turn waitable between the two calls.
    for (int round = 0; round < 3; ++round) {
        if (!status_) {
            try_wait();
            if (stopped_by_ && !status_) {
                try_wait();  // it may have stopped and died since: collect the death too
            }
        }
        if (!group().reap_exited_members(status_ ? -1 : pid_)) {
            return;
        }
    }
}

}  // namespace blackbox::supervise
