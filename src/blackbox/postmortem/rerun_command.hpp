#pragma once

// The shell command that re-runs just one test (or one module) the way the run ran it.

#include <string>
#include <vector>

#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

// Shell quoting: the word unchanged when it is safe, else in single quotes; a word holding
// control characters or bytes that are not UTF-8 in $'…' with those bytes as \\xNN (bash, zsh,
// ksh and POSIX.1-2024 shells read it), so the quoted word is printable and exact.
std::string shell_quote(const std::string& word);

// The recorded command up to and including what starts pytest: `python -m pytest`, `pytest`, or
// `python3 -m pytest` when the command started pytest some other way (tox, a script).
std::vector<std::string> pytest_prefix(const std::vector<std::string>& command);

// `blackbox run -- <python> -m pytest '<target>'`, keeping the interpreter and pytest entry of
// the recorded command (falling back to `python3 -m pytest`), prefixed by `cd <rootdir> &&`
// when pytest's rootdir (node ids are relative to it) is not the working directory.
std::string rerun_command(const RunModel& run, const std::string& target);

}  // namespace blackbox::postmortem
