// blackbox_native_install and blackbox_native_echo: the exports (blackbox_native.h).

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "blackbox_native.h"
#include "dump_handler.hpp"
#include "fatal_handler.hpp"
#include "handler_state.hpp"
#include "terminal_echo.hpp"
#include "thread_stack.hpp"

#define UNW_LOCAL_ONLY
#include <libunwind.h>

namespace blackbox::native_handler {

namespace {

// The alternate stack a stack overflow is handled on: room for libunwind's unwind, our
// handler's frames and the chained faulthandler's. A smaller one (faulthandler's own is about
// 16 KiB) is replaced for the calling thread; faulthandler frees its own only when the
// interpreter ends, and then leaves the current one alone.
constexpr std::size_t kAltStackSize = 256 * 1024;
constexpr std::size_t kAltStackMinimum = 64 * 1024;

using Handler = void (*)(int, siginfo_t*, void*);

// One install at a time (ctypes releases the GIL around the call).
class InstallLock {
  public:
    InstallLock() {
        while (locked_.exchange(true, std::memory_order_acquire)) {
            ::sched_yield();
        }
    }
    ~InstallLock() { locked_.store(false, std::memory_order_release); }
    InstallLock(const InstallLock&) = delete;
    InstallLock& operator=(const InstallLock&) = delete;

  private:
    static inline std::atomic<bool> locked_{false};
};

bool is_ours(const struct sigaction& action, Handler handler) {
    return (action.sa_flags & SA_SIGINFO) != 0 && action.sa_sigaction == handler;
}

int current_action(int signal, struct sigaction& action) {
    return ::sigaction(signal, nullptr, &action) == 0 ? 0 : -errno;
}

// 0 when `fd` is an open descriptor we may append to.
int check_descriptor(int fd) {
    if (fd < 0) {
        return -EBADF;
    }
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) {
        return -errno;
    }
    if ((flags & O_ACCMODE) == O_RDONLY || (flags & O_APPEND) == 0) {
        return -EINVAL;  // thread blocks written at once stay whole only when appended
    }
    return 0;
}

// 0 when `signal` may become (or is) our dump signal.
int check_dump_signal(int signal) {
    if (signal == 0) {
        return 0;
    }
    if (signal < SIGRTMIN || signal > SIGRTMAX) {
        return -EINVAL;
    }
    struct sigaction action;
    const int installed = handler_state().dump_signal.load();
    if (installed != 0 && installed != signal) {
        if (int error = current_action(installed, action); error != 0) {
            return error;
        }
        if (is_ours(action, dump_handler)) {
            return -EINVAL;  // one dump signal per process
        }
    }
    if (int error = current_action(signal, action); error != 0) {
        return error;
    }
    if (!is_ours(action, dump_handler) && action.sa_handler != SIG_DFL) {
        return -EBUSY;
    }
    return 0;
}

// An alternate signal stack for the calling thread, so that a stack overflow is reported too.
int ensure_alternate_stack() {
    stack_t current = {};
    if (::sigaltstack(nullptr, &current) != 0) {
        return -errno;
    }
    if ((current.ss_flags & SS_ONSTACK) != 0 ||
        ((current.ss_flags & SS_DISABLE) == 0 && current.ss_size >= kAltStackMinimum)) {
        return 0;
    }
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    void* memory = ::mmap(nullptr, page + kAltStackSize, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (memory == MAP_FAILED) {
        return -errno;
    }
    ::mprotect(memory, page, PROT_NONE);  // a guard page below it: an overflow faults
    stack_t ours = {};
    ours.ss_sp = static_cast<char*>(memory) + page;
    ours.ss_size = kAltStackSize;
    if (::sigaltstack(&ours, nullptr) != 0) {
        const int error = errno;
        ::munmap(memory, page + kAltStackSize);
        return -error;
    }
    return 0;  // never unmapped: a handler may run on it until the thread ends
}

// One unwind of this very stack, by the first install: libunwind initializes itself (its
// memory pools, its caches, its pipe for checking addresses) here, not in the first handler.
void warm_up() {
    static bool warm = false;  // under InstallLock
    if (warm) {
        return;
    }
    warm = true;
    unw_context_t context;
    unw_cursor_t cursor;
    if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) {
        return;
    }
    for (int frames = 0; frames < kMaxFrames; ++frames) {
        unw_word_t pc = 0;
        unw_get_reg(&cursor, UNW_REG_IP, &pc);
        unw_is_signal_frame(&cursor);
        if (unw_step(&cursor) <= 0) {
            break;
        }
    }
}

int install_fatal(int signal, int dump_signal) {
    struct sigaction current;
    if (int error = current_action(signal, current); error != 0) {
        return error;
    }
    if (is_ours(current, fatal_handler)) {
        return 0;
    }
    handler_state().previous[fatal_index(signal)] = current;
    struct sigaction ours = {};
    ours.sa_sigaction = fatal_handler;
    // SA_NODEFER: a fault inside our own handler enters it again, which then closes what it
    // wrote and chains, instead of the kernel killing the process before faulthandler spoke.
    ours.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&ours.sa_mask);
    if (dump_signal != 0) {
        sigaddset(&ours.sa_mask, dump_signal);  // no dump in the middle of a fatal record
    }
    return ::sigaction(signal, &ours, nullptr) == 0 ? 0 : -errno;
}

int install_dump(int signal) {
    struct sigaction current;
    if (int error = current_action(signal, current); error != 0) {
        return error;
    }
    if (!is_ours(current, dump_handler)) {
        struct sigaction ours = {};
        ours.sa_sigaction = dump_handler;
        // On the thread's own stack (a dump unwinds every thread, most without an alternate
        // one); SA_RESTART: the interrupted system calls carry on.
        ours.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&ours.sa_mask);
        if (::sigaction(signal, &ours, nullptr) != 0) {
            return -errno;
        }
    }
    handler_state().dump_signal.store(signal);
    return 0;
}

int install(int fd, int dump_signal) {
    if (int error = check_descriptor(fd); error != 0) {
        return error;
    }
    InstallLock lock;
    if (int error = check_dump_signal(dump_signal); error != 0) {
        return error;
    }
    if (int error = ensure_alternate_stack(); error != 0) {
        return error;
    }
    warm_up();
    HandlerState& state = handler_state();
    state.fd.store(fd);
    state.pid.store(::getpid());
    for (int signal : kFatalSignals) {
        if (int error = install_fatal(signal, dump_signal); error != 0) {
            return error;
        }
    }
    return dump_signal != 0 ? install_dump(dump_signal) : 0;
}

}  // namespace

}  // namespace blackbox::native_handler

extern "C" int blackbox_native_install(int fd, int dump_signal) {
    return blackbox::native_handler::install(fd, dump_signal);
}

extern "C" int blackbox_native_echo(int source_fd, int terminal_fd, const char* note) {
    return blackbox::native_handler::set_terminal_echo(source_fd, terminal_fd, note);
}
