#pragma once

// The brief's cause words for how a process died.

#include <string>

namespace blackbox::postmortem {

// "segfault", "abort", "bus_error", "fpe", "illegal_instruction"; "killed" for SIGKILL and any
// other signal (issue-specific causes such as "oom" or "hang" come from other evidence).
std::string cause_for_signal(int signal);

}  // namespace blackbox::postmortem
