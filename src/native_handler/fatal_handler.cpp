#include "fatal_handler.hpp"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <pthread.h>
#include <unistd.h>

#include "handler_state.hpp"
#include "raw_io.hpp"
#include "terminal_echo.hpp"
#include "text_buffer.hpp"
#include "thread_stack.hpp"

namespace blackbox::native_handler {

namespace {

enum Stage : int { kIdle, kUnwinding, kWriting, kWritten };

// Everything lives here, not on the stack: the handler may run on a small alternate stack,
// and only one thread ever writes the fatal record.
std::atomic<pid_t> owner{0};  // the thread that writes the fatal record
std::atomic<int> stage{kIdle};
long record_id = 0;
UnwindProgress progress;
alignas(16) char block_storage[256 + kThreadBlockSize];
constinit TextBuffer block(block_storage, sizeof block_storage);
alignas(16) char maps_buffer[16384];

// How long a second crashing thread waits for the first one's record before it chains: the
// chained handler ends the process.
constexpr int kWaitForOwnerMs = 2000;

// The record's head and thread block (one write), then the memory map and the record's end.
void write_record(int fd) {
    stage.store(kWriting);
    write_all(fd, block.data(), block.size());
    write_record_tail(fd, record_id, maps_buffer, sizeof maps_buffer);
    stage.store(kWritten);
}

void record_crash(int signal, const siginfo_t* info, void* context, pid_t tid) {
    HandlerState& state = handler_state();
    record_id = state.next_record_id.fetch_add(1);
    block.clear();
    block.text("record fatal id=");
    block.decimal(record_id);
    block.text(" signal=");
    block.decimal(signal);
    block.text(" code=");
    block.decimal(info != nullptr ? info->si_code : 0);
    block.text(" addr=");
    // Only a fault (si_code > 0, set by the kernel) has an address; a sent signal's si_addr
    // overlaps the sender's pid.
    block.hex(info != nullptr && info->si_code > 0 ? reinterpret_cast<std::uintptr_t>(info->si_addr)
                                                   : 0);
    block.text(" pid=");
    block.decimal(::getpid());
    block.text(" ns=");
    block.decimal(monotonic_ns());
    block.text("\n");
    append_thread_line(block, tid, record_id);
    stage.store(kUnwinding);
    append_frames(block, context, progress);
    write_record(state.fd.load());
}

// The record of this process, once: the first crashing thread writes it; a fault inside our
// own unwind closes the block as far as it got; other threads wait for it.
void record_once(int signal, const siginfo_t* info, void* context) {
    const pid_t tid = current_tid();
    pid_t expected = 0;
    if (owner.compare_exchange_strong(expected, tid)) {
        record_crash(signal, info, context, tid);
        return;
    }
    if (expected == tid) {
        // This thread faulted inside its own handler (SA_NODEFER lets it in again).
        if (stage.load() == kUnwinding) {
            append_truncated_end(block, progress.frames);
            write_record(handler_state().fd.load());
        }
        return;
    }
    for (int waited = 0; waited < kWaitForOwnerMs && stage.load() != kWritten; ++waited) {
        sleep_a_millisecond();
    }
}

// Hands the signal to the disposition ours replaced, restored first: faulthandler's handler,
// called directly, writes the Python stacks, restores its own previous one and raises the
// signal again; a default (or ignored) disposition becomes the default one and the signal is
// raised again. Either way the process dies of it, once the signal is unblocked at the end:
// until then it stays pending, so that what faulthandler wrote can still be shown on the
// terminal (terminal_echo.hpp).
void chain(int signal, siginfo_t* info, void* context) {
    const int index = fatal_index(signal);
    struct sigaction previous = handler_state().previous[index];
    ::sigaction(signal, &previous, nullptr);
    sigset_t blocked, before;
    sigemptyset(&blocked);
    sigaddset(&blocked, signal);
    ::pthread_sigmask(SIG_BLOCK, &blocked, &before);
    const off_t echo_from = echo_start();
    if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
        struct sigaction fallback = {};
        fallback.sa_handler = SIG_DFL;
        sigemptyset(&fallback.sa_mask);
        ::sigaction(signal, &fallback, nullptr);
        ::raise(signal);
    } else if ((previous.sa_flags & SA_SIGINFO) != 0) {
        previous.sa_sigaction(signal, info, context);
    } else {
        previous.sa_handler(signal);
    }
    echo_finish(echo_from);
    ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

}  // namespace

void fatal_handler(int signal, siginfo_t* info, void* context) {
    const int saved_errno = errno;
    if (fatal_index(signal) < 0) {
        return;
    }
    if (::getpid() == handler_state().pid.load()) {
        record_once(signal, info, context);
    }
    chain(signal, info, context);
    errno = saved_errno;
}

}  // namespace blackbox::native_handler
