#pragma once

// The one exception type of the project. Expected outcomes (a child killed, a vanished /proc
// entry, a torn record) are values; an Error aborts an operation and is caught at a named
// boundary (main, a command, a worker thread's loop). Never thrown in a signal handler or between
// fork and exec.

#include <stdexcept>
#include <string>

namespace blackbox {

class Error : public std::runtime_error {
  public:
    explicit Error(const std::string& what, int exit_code = 1)
        : std::runtime_error(what), exit_code_(exit_code) {}

    // The process exit status a top-level handler should use for this error.
    int exit_code() const noexcept { return exit_code_; }

  private:
    int exit_code_;
};

// "<context>: <strerror(errnum)>"
std::string errno_message(const std::string& context, int errnum);

}  // namespace blackbox
