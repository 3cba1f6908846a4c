#pragma once

// The pytest sessions of a run. A command may start pytest more than once (`bash -c "pytest a;
// pytest b"`, a script, tox): each main process (the one that is not an xdist worker) is a
// session of its own, numbered in the order their `session_start` records were written (their
// `start` record's, without one), and every xdist worker belongs to the session of the
// controller that started it (its parent: the `ppid` of its `start` record). Each attempt
// (`--max-restarts`) runs the command again: its k-th session resumes the k-th of the attempt
// before.

#include <cstddef>
#include <string>
#include <vector>

#include <blackbox/journal/process_files.hpp>

namespace blackbox::postmortem {

// Sets each process's `session` (0-based), reading the head of each journal, and orders
// `files` by session, then attempt, keeping find_process_files' order within (a controller
// before its workers). Returns the number of sessions (at least 1).
std::size_t number_sessions(std::vector<journal::ProcessFiles>& files);

// " (session 2)" after a test's name in a run of `sessions` sessions; "" in a run of one.
std::string session_suffix(std::size_t sessions, int session);

}  // namespace blackbox::postmortem
