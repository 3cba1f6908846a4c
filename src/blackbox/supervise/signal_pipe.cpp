#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <blackbox/base/error.hpp>
#include <blackbox/supervise/signal_pipe.hpp>

namespace blackbox::supervise {

namespace {

// The write end of the live SignalPipe, or -1. Read by the handler: lock-free atomics are
// async-signal-safe.
std::atomic<int> g_write_fd{-1};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void write_signal_byte(int sig) {
    const int saved_errno = errno;
    const int fd = g_write_fd.load(std::memory_order_relaxed);
    if (fd >= 0) {
        const auto byte = static_cast<unsigned char>(sig);
        // A full pipe drops the byte: the loop has plenty unread already and will wake.
        [[maybe_unused]] auto written = ::write(fd, &byte, 1);
    }
    errno = saved_errno;
}

}  // namespace

SignalPipe::SignalPipe(std::initializer_list<int> caught, std::initializer_list<int> ignored) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        throw Error(errno_message("cannot create the signal pipe", errno));
    }
    read_end_.reset(fds[0]);
    write_end_.reset(fds[1]);
    int expected = -1;
    if (!g_write_fd.compare_exchange_strong(expected, write_end_.get())) {
        throw Error("a signal pipe is already installed in this process");
    }

    auto install = [this](int sig, struct sigaction action) {
        SignalDisposition old{sig, {}};
        if (::sigaction(sig, &action, &old.action) != 0) {
            const int saved_errno = errno;
            restore();
            g_write_fd.store(-1);
            throw Error(errno_message("cannot set the disposition of signal " + std::to_string(sig),
                                      saved_errno));
        }
        previous_.push_back(old);
        if (old.action.sa_handler != SIG_IGN) {
            old.action.sa_handler = SIG_DFL;
            old.action.sa_flags &= ~SA_SIGINFO;
        }
        for_exec_.push_back(old);
    };
    for (int sig : caught) {
        struct sigaction action {};
        action.sa_handler = write_signal_byte;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        install(sig, action);
    }
    for (int sig : ignored) {
        struct sigaction action {};
        action.sa_handler = SIG_IGN;
        sigemptyset(&action.sa_mask);
        install(sig, action);
    }
    sigset_t unblock;
    sigemptyset(&unblock);
    for (int sig : caught) {
        sigaddset(&unblock, sig);
    }
    ::pthread_sigmask(SIG_UNBLOCK, &unblock, &saved_mask_);
}

SignalPipe::~SignalPipe() {
    ::pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
    restore();
    g_write_fd.store(-1);
}

void SignalPipe::restore() noexcept {
    for (auto it = previous_.rbegin(); it != previous_.rend(); ++it) {
        ::sigaction(it->signal, &it->action, nullptr);
    }
    previous_.clear();
}

std::vector<int> SignalPipe::take() {
    std::vector<int> signals;
    unsigned char buffer[256];
    for (;;) {
        ssize_t n = ::read(read_end_.get(), buffer, sizeof buffer);
        if (n > 0) {
            signals.insert(signals.end(), buffer, buffer + n);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return signals;  // EAGAIN: drained
    }
}

}  // namespace blackbox::supervise
