#pragma once

// Runs a short probe command (`git rev-parse HEAD`) and captures its standard output, bounded in
// time and size, so a slow or stuck tool can never hold up the start of a run.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace blackbox::context {

struct CommandLimits {
    // From the start of the call to the command's exit; after it the command is killed.
    std::chrono::milliseconds timeout{2000};
    // Output beyond this many bytes is read and dropped, so the command never blocks on the pipe.
    std::size_t max_output_bytes = 64 * 1024;
};

// The first `limits.max_output_bytes` bytes of the standard output of `argv` when the command
// exits with status 0 before `limits.timeout`; nullopt when argv is empty, the program is not
// found, it cannot be started, exits non-zero, dies of a signal, or is still running at the
// deadline (then its process group is killed with SIGKILL and it is reaped).
//
// No shell: argv[0] without a slash is looked up in PATH before forking. The child gets /dev/null
// as stdin and stderr, an empty signal mask and its own process group (so a timeout also kills
// what it started). Only the child's own pid is waited for: a process-wide reaper
// (waitpid(-1, ...)) running meanwhile, or SIGCHLD set to SIG_IGN, makes the result nullopt.
// Thread-safe; never throws for a failing command (std::bad_alloc aside).
std::optional<std::string> command_output(const std::vector<std::string>& argv,
                                          const CommandLimits& limits = {});

// The executable that `name` designates: `name` itself when it contains a slash, else the first
// executable regular file `dir/name` over the directories of `search_path` (colon-separated, an
// empty entry meaning the working directory, as execvp reads PATH). nullopt when there is none.
std::optional<std::string> find_program(const std::string& name, const std::string& search_path);

}  // namespace blackbox::context
