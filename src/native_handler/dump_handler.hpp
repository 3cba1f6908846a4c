#pragma once

// The handler of the dump signal: every thread's stack on request, the process going on.
//
// The thread that receives the signal from outside (kill or sigqueue: not SI_TKILL from our own
// pid) leads: it writes `record dump` with its own thread block, sends the signal to every
// other thread of the process with tgkill, waits for their blocks (at most kAnswerWaitMs: a
// thread that blocks the signal never answers), writes the memory map and closes the record
// with how many threads answered. A thread reached by the leader's tgkill (a peer) writes its
// own block, naming the record, with one write(2).

#include <signal.h>

namespace blackbox::native_handler {

inline constexpr int kAnswerWaitMs = 250;

void dump_handler(int signal, siginfo_t* info, void* context);

}  // namespace blackbox::native_handler
