#pragma once

// What the installer hands the handlers: where to write, which process wrote it, the handlers
// ours replaced (to chain to), and the records' ids. Written by blackbox_native_install only
// while none of our handlers is installed for the slot it changes; read by the handlers.

#include <atomic>
#include <cstddef>
#include <signal.h>
#include <sys/types.h>

namespace blackbox::native_handler {

inline constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
inline constexpr std::size_t kFatalSignalCount = sizeof kFatalSignals / sizeof kFatalSignals[0];

// A copy of /proc/self/maps is bounded: a process with millions of mappings still ends its
// record.
inline constexpr std::size_t kMapsLimit = 4 << 20;

struct HandlerState {
    std::atomic<int> fd{-1};
    // The process that installed the handlers: a child forked without exec inherits them, and
    // its deaths are not written into its parent's file.
    std::atomic<pid_t> pid{0};
    std::atomic<int> dump_signal{0};
    std::atomic<long> next_record_id{0};
    struct sigaction previous[kFatalSignalCount] = {};  // what each fatal handler chains to
};

HandlerState& handler_state();

// The index of a fatal signal in kFatalSignals, or -1.
int fatal_index(int signal);

}  // namespace blackbox::native_handler
