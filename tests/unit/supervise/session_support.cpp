#include "session_support.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char** environ;

namespace blackbox::supervise::test_support {

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

CapturedStdio::CapturedStdio(const TempDir& dir) : out_(dir / "stdout"), err_(dir / "stderr") {
    std::fflush(stdout);
    std::fflush(stderr);
    for (int fd = 0; fd < 3; ++fd) {
        saved_[fd].reset(::fcntl(fd, F_DUPFD_CLOEXEC, 10));
    }
    base::UniqueFd in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    base::UniqueFd out(::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    base::UniqueFd err(::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    ::dup2(in.get(), 0);
    ::dup2(out.get(), 1);
    ::dup2(err.get(), 2);
}

CapturedStdio::~CapturedStdio() {
    std::fflush(stdout);
    std::fflush(stderr);
    for (int fd = 0; fd < 3; ++fd) {
        if (saved_[fd]) {
            ::dup2(saved_[fd].get(), fd);
        }
    }
}

std::string CapturedStdio::out() const {
    return slurp(out_);
}
std::string CapturedStdio::err() const {
    return slurp(err_);
}

CapturedRun run_captured(const TempDir& dir, const SessionOptions& options) {
    CapturedRun run;
    {
        CapturedStdio stdio(dir);
        run.result = run_session(options);
        run.out = stdio.out();
        run.err = stdio.err();
    }
    return run;
}

DefaultDisposition::DefaultDisposition(int signal) : signal_(signal) {
    struct sigaction fresh {};
    fresh.sa_handler = SIG_DFL;
    sigemptyset(&fresh.sa_mask);
    ::sigaction(signal_, &fresh, &saved_);
}

DefaultDisposition::~DefaultDisposition() {
    ::sigaction(signal_, &saved_, nullptr);
}

std::vector<std::string> shell(const std::string& script) {
    return {"/bin/sh", "-c", script};
}

SessionOptions shell_session(const TempDir& dir, const std::string& script) {
    SessionOptions options;
    options.argv = shell(script);
    for (char** entry = environ; *entry != nullptr; ++entry) {
        options.environment.emplace_back(*entry);
    }
    options.output_log = dir / "output.log";
    options.allow_terminal = false;
    options.tick = std::chrono::milliseconds(10);
    return options;
}

bool process_exists(pid_t pid) {
    return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

pid_t read_pid(const std::filesystem::path& path) {
    std::ifstream in(path);
    pid_t pid = -1;
    in >> pid;
    return in ? pid : -1;
}

TerminalRun run_on_terminal(const std::function<int()>& body,
                            const std::function<bool(int, const std::string&)>& drive) {
    base::UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master || ::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0) {
        throw std::runtime_error("cannot open a pseudo-terminal");
    }
    char name[128];
    if (::ptsname_r(master.get(), name, sizeof name) != 0) {
        throw std::runtime_error("ptsname_r failed");
    }
    struct winsize size {};
    size.ws_row = 33;
    size.ws_col = 111;
    ::ioctl(master.get(), TIOCSWINSZ, &size);

    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        // A new session whose first terminal opened becomes its controlling terminal.
        ::setsid();
        int slave = ::open(name, O_RDWR);
        if (slave < 0) {
            ::_exit(120);
        }
        ::dup2(slave, 0);
        ::dup2(slave, 1);
        ::dup2(slave, 2);
        if (slave > 2) {
            ::close(slave);
        }
        int code = 121;
        try {
            code = body();
        } catch (...) {
            code = 122;
        }
        std::fflush(stdout);
        ::_exit(code);
    }

    TerminalRun run;
    bool driving = static_cast<bool>(drive);
    bool exited = false;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    for (;;) {
        pollfd readable{master.get(), POLLIN, 0};
        ::poll(&readable, 1, 10);
        bool got = false;
        char buffer[4096];
        for (;;) {
            pollfd more{master.get(), POLLIN, 0};
            if (::poll(&more, 1, 0) <= 0 || (more.revents & POLLIN) == 0) {
                break;
            }
            ssize_t n = ::read(master.get(), buffer, sizeof buffer);
            if (n <= 0) {
                break;
            }
            run.screen.append(buffer, static_cast<std::size_t>(n));
            got = true;
        }
        if (got && driving) {
            driving = !drive(master.get(), run.screen);
        }
        if (exited) {
            break;  // one last read done after the exit
        }
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            continue;
        }
        if (std::chrono::steady_clock::now() > give_up) {
            ::kill(-pid, SIGKILL);  // its whole process group (it leads a session)
            ::waitpid(pid, &status, 0);
            return run;
        }
    }
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return run;
}

}  // namespace blackbox::supervise::test_support
