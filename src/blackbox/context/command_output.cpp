#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/context/command_output.hpp>

namespace blackbox::context {

namespace {

using Clock = std::chrono::steady_clock;
using base::UniqueFd;

// PATH when the variable is unset (glibc's confstr(_CS_PATH) default).
constexpr const char* kDefaultSearchPath = "/bin:/usr/bin";

bool is_executable_file(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

// Moves `fd` to a number above 2, so the child's dup2 onto 0, 1 and 2 can never overwrite a
// descriptor it still has to copy (the parent may run with closed standard descriptors).
UniqueFd above_stdio(UniqueFd fd) {
    if (fd.get() > 2) {
        return fd;
    }
    return UniqueFd(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
}

// The child between fork and exec: async-signal-safe calls only, nothing allocated, no throw.
// The three sources are above 2 and close-on-exec; dup2 clears that flag on 0, 1 and 2.
[[noreturn]] void exec_child(const char* program, char* const* argv, int stdout_fd, int null_fd,
                             const sigset_t& mask) noexcept {
    ::setpgid(0, 0);
    ::sigprocmask(SIG_SETMASK, &mask, nullptr);
    if (::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(stdout_fd, STDOUT_FILENO) < 0 ||
        ::dup2(null_fd, STDERR_FILENO) < 0) {
        ::_exit(127);
    }
    ::execv(program, argv);
    ::_exit(127);
}

int milliseconds_until(Clock::time_point deadline) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<decltype(left)>(left, 0, 60'000));
}

// Reads the pipe until end of file or the deadline. Returns false on timeout or a read error.
bool read_until_eof(int fd, Clock::time_point deadline, std::size_t max_bytes,
                    std::string& output) {
    char buffer[4096];
    for (;;) {
        int wait_ms = milliseconds_until(deadline);
        if (wait_ms == 0) {
            return false;
        }
        pollfd ready{fd, POLLIN, 0};
        int polled = ::poll(&ready, 1, wait_ms);
        if (polled < 0 && errno != EINTR) {
            return false;
        }
        if (polled <= 0) {
            continue;
        }
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return false;
        }
        if (n == 0) {
            return true;
        }
        std::size_t keep = std::min(static_cast<std::size_t>(n), max_bytes - output.size());
        output.append(buffer, keep);
    }
}

enum class Wait { exited, still_running, lost };

// Waits for the child until the deadline; `status` is its wait status when it exited. A child
// that closed its stdout may still be running, hence polling rather than one blocking waitpid.
Wait wait_until(pid_t pid, Clock::time_point deadline, int& status) {
    for (;;) {
        pid_t waited = ::waitpid(pid, &status, WNOHANG);
        if (waited == pid) {
            return Wait::exited;
        }
        if (waited < 0 && errno != EINTR) {
            return Wait::lost;  // ECHILD: reaped elsewhere, the pid may be reused: never kill it
        }
        if (Clock::now() >= deadline) {
            return Wait::still_running;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

void kill_and_reap(pid_t pid) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);  // in case the group did not exist yet
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

std::optional<std::string> find_program(const std::string& name, const std::string& search_path) {
    if (name.empty()) {
        return std::nullopt;
    }
    if (name.find('/') != std::string::npos) {
        return is_executable_file(name) ? std::optional<std::string>(name) : std::nullopt;
    }
    std::size_t start = 0;
    for (;;) {
        std::size_t end = search_path.find(':', start);
        std::string dir = search_path.substr(start, end == std::string::npos ? end : end - start);
        std::string candidate = dir.empty() ? name : dir + "/" + name;
        if (is_executable_file(candidate)) {
            return candidate;
        }
        if (end == std::string::npos) {
            return std::nullopt;
        }
        start = end + 1;
    }
}

std::optional<std::string> command_output(const std::vector<std::string>& argv,
                                          const CommandLimits& limits) {
    Clock::time_point deadline = Clock::now() + limits.timeout;
    if (argv.empty()) {
        return std::nullopt;
    }
    const char* path_variable = std::getenv("PATH");
    std::optional<std::string> program =
        find_program(argv[0], path_variable != nullptr ? path_variable : kDefaultSearchPath);
    if (!program) {
        return std::nullopt;
    }

    // Everything the child touches is prepared before fork.
    std::vector<char*> child_argv;
    child_argv.reserve(argv.size() + 1);
    for (const std::string& argument : argv) {
        child_argv.push_back(const_cast<char*>(argument.c_str()));
    }
    child_argv.push_back(nullptr);
    sigset_t no_signals;
    sigemptyset(&no_signals);
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) {
        return std::nullopt;
    }
    UniqueFd read_end = above_stdio(UniqueFd(ends[0]));
    UniqueFd write_end = above_stdio(UniqueFd(ends[1]));
    UniqueFd null_fd = above_stdio(UniqueFd(::open("/dev/null", O_RDWR | O_CLOEXEC)));
    if (!read_end || !write_end || !null_fd) {
        return std::nullopt;
    }

    pid_t pid = ::fork();
    if (pid < 0) {
        return std::nullopt;
    }
    if (pid == 0) {
        exec_child(program->c_str(), child_argv.data(), write_end.get(), null_fd.get(), no_signals);
    }
    // The child does the same; whichever runs first makes the group exist before any kill.
    ::setpgid(pid, pid);
    write_end.reset();
    null_fd.reset();

    std::string output;
    if (!read_until_eof(read_end.get(), deadline, limits.max_output_bytes, output)) {
        kill_and_reap(pid);
        return std::nullopt;
    }
    int status = 0;
    switch (wait_until(pid, deadline, status)) {
        case Wait::exited:
            break;
        case Wait::still_running:
            kill_and_reap(pid);
            return std::nullopt;
        case Wait::lost:
            return std::nullopt;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return std::nullopt;
    }
    return output;
}

}  // namespace blackbox::context
