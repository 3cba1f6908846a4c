#pragma once

// Asking a pytest process for every thread's Python stack, and killing it once the stack is
// written: the plugin registered faulthandler on a signal (its `start` record says which), and
// faulthandler's handler runs in C, so it answers even while the test is stuck in C code that
// holds the GIL. A line "# blackbox: <reason>" is appended to the process's faulthandler file
// first, so the post-mortem can tell the dumps apart.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include <blackbox/live/run_watch.hpp>

namespace blackbox::live {

// Asks the process's native handler for every thread's native stack (native/<stem>.txt,
// docs/formats/native-stacks.md), and to raise `then_raise` (faulthandler's dump signal) once
// the record is closed: both dumps in one interruption of the process, so that a blocking call
// the signal interrupts cannot return and let a hung test go on in between. Does not wait.
// False when the process has no native handler catching its signal (/proc's SigCgt says so: an
// unhandled real-time signal would end the process) or is gone.
bool request_native_dump(const LiveProcess& process, std::optional<int> then_raise);

// Appends the marker line "# blackbox: <reason>", then asks for the native stacks and the
// Python ones in one request (request_native_dump), or sends the dump signal alone. Returns false
// when the process has no dump signal or is gone. After a reason starting with "hang" the plugin
// stops its process (SIGSTOP) as soon as Python runs again: the signal interrupts a blocking
// call (a libc sleep), which would otherwise return and let a "hung" test go on.
bool request_stack_dump(const LiveProcess& process, const std::string& reason);

// Processes to SIGKILL once their requested dump is written: the file stopped growing after
// the marker, or the deadline passed (a process that cannot answer is killed anyway).
class PendingKills {
  public:
    void add(const LiveProcess& process, std::chrono::milliseconds deadline);
    // Kills those that are due; returns their pids.
    std::vector<pid_t> kill_due();
    bool empty() const { return pending_.empty(); }

  private:
    struct Pending {
        pid_t pid;
        std::filesystem::path faulthandler;
        std::uintmax_t initial_size;  // with the marker, before the dump
        std::uintmax_t size_seen;
        int quiet_checks;
        std::chrono::steady_clock::time_point deadline;
    };
    std::vector<Pending> pending_;
};

}  // namespace blackbox::live
