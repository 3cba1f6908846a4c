#include "dump_handler.hpp"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <sys/syscall.h>
#include <unistd.h>

#include "handler_state.hpp"
#include "raw_io.hpp"
#include "text_buffer.hpp"
#include "thread_stack.hpp"

namespace blackbox::native_handler {

namespace {

constexpr std::size_t kMaxThreads = 4096;  // threads sent the signal; more are only counted

std::atomic<bool> busy{false};         // a dump is being written: another request is dropped
std::atomic<bool> record_open{false};  // the record takes thread blocks
std::atomic<long> open_id{0};
std::atomic<int> answered{0};  // peers whose block was written
std::atomic<int> writing{
    0};  // peers between their check of `record_open` and the end of their write

// The leader's storage (one leader at a time): not on the interrupted thread's stack.
pid_t tids[kMaxThreads];
alignas(8) char entries[16384];
alignas(16) char block_storage[256 + kThreadBlockSize];
alignas(16) char maps_buffer[16384];

void answer_as_peer(void* context) {
    writing.fetch_add(1);
    if (record_open.load()) {
        char storage[kThreadBlockSize];
        TextBuffer block(storage, sizeof storage);
        UnwindProgress progress;
        const pid_t tid = current_tid();
        append_thread_line(block, tid, open_id.load());
        append_frames(block, context, progress);
        if (write_all(handler_state().fd.load(), block.data(), block.size())) {
            answered.fetch_add(1);
        }
    }
    writing.fetch_sub(1);
}

// Waits until `done` holds, at most `limit_ms` milliseconds.
template <typename Done>
void wait_for(Done done, int limit_ms) {
    const std::int64_t deadline = monotonic_ns() + std::int64_t{limit_ms} * 1000000;
    while (!done() && monotonic_ns() < deadline) {
        sleep_a_millisecond();
    }
}

// `then_raise`: a signal to raise once the record is closed (0: none).
void lead(int signal, void* context, int then_raise) {
    if (busy.exchange(true)) {
        return;
    }
    HandlerState& state = handler_state();
    const int fd = state.fd.load();
    const pid_t pid = ::getpid();
    const pid_t self = current_tid();
    const long id = state.next_record_id.fetch_add(1);
    long threads = list_threads(tids, kMaxThreads, entries, sizeof entries);
    if (threads < 1) {
        threads = 1;  // /proc unreadable: this thread alone
    }

    TextBuffer block(block_storage, sizeof block_storage);
    block.text("record dump id=");
    block.decimal(id);
    block.text(" pid=");
    block.decimal(pid);
    block.text(" ns=");
    block.decimal(monotonic_ns());
    block.text(" threads=");
    block.decimal(threads);
    block.text("\n");
    append_thread_line(block, self, id);
    UnwindProgress progress;
    append_frames(block, context, progress);

    answered.store(0);
    open_id.store(id);
    record_open.store(true);
    write_all(fd, block.data(), block.size());

    int asked = 0;
    const auto listed = static_cast<std::size_t>(threads) < kMaxThreads
                            ? static_cast<std::size_t>(threads)
                            : kMaxThreads;
    for (std::size_t i = 0; i < listed; ++i) {
        if (tids[i] != self && ::syscall(SYS_tgkill, pid, tids[i], signal) == 0) {
            ++asked;
        }
    }
    wait_for([asked] { return answered.load() >= asked; }, kAnswerWaitMs);
    // Closed before the map: a late peer writes nothing, and one already writing finishes
    // first (each checked `record_open` after announcing itself in `writing`).
    record_open.store(false);
    wait_for([] { return writing.load() == 0; }, kAnswerWaitMs);

    write_record_tail(fd, id, maps_buffer, sizeof maps_buffer, 1 + answered.load(), threads);
    busy.store(false);
    if (then_raise > 0 && then_raise != signal && then_raise < NSIG) {
        ::raise(then_raise);  // delivered here and now, before this thread returns
    }
}

}  // namespace

void dump_handler(int signal, siginfo_t* info, void* context) {
    const int saved_errno = errno;
    const pid_t pid = ::getpid();
    if (pid == handler_state().pid.load()) {
        if (info != nullptr && info->si_code == SI_TKILL && info->si_pid == pid) {
            answer_as_peer(context);
        } else {
            // A request by sigqueue() may name a signal to raise once the record is closed:
            // faulthandler's dump of the Python stacks, in the same interruption (a blocking
            // call the signal interrupts would otherwise return, and a hung test go on).
            const int then_raise =
                info != nullptr && info->si_code == SI_QUEUE ? info->si_value.sival_int & 0xff : 0;
            lead(signal, context, then_raise);
        }
    }
    errno = saved_errno;
}

}  // namespace blackbox::native_handler
