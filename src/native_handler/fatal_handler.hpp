#pragma once

// The handler of the fatal signals: once per process, the `record fatal` of the crashing
// thread (its stack, then the memory map), then whatever handled the signal before ours
// (Python's faulthandler, which writes the Python stacks and re-raises), so that the process
// dies of its signal exactly as it would have without us.

#include <signal.h>

namespace blackbox::native_handler {

void fatal_handler(int signal, siginfo_t* info, void* context);

}  // namespace blackbox::native_handler
