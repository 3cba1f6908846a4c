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

// The options of pytest's words in a recorded command (those after pytest_prefix) that change how
// a test runs, kept by a re-run: plugins (`-p`), pytest-forked's `--forked`, the random orders
// (pytest-random-order, pytest-randomly) and their seeds, pytest-cov's measurement (`--cov`,
// `--cov-branch`, `--cov-config`, `--cov-context`), pytest-timeout's, ini overrides and files,
// the rootdir, the import mode, warnings filters, capture, `--runxfail`, hypothesis' seed,
// pytest-asyncio's mode, the temporary directory. Left out: the targets, the selection (`-k`,
// `-m`, `--lf`, `-x`…), the reports (`--junitxml`, `--cov-report`…), xdist's distribution, and
// a seed when `seed_options` will give the attempt's own.
std::vector<std::string> rerun_options(const std::vector<std::string>& pytest_words,
                                       bool drop_seeds = false);

// `blackbox run -- <python> -m pytest [options] '<target>'`, keeping the interpreter and pytest
// entry of the recorded command (falling back to `python3 -m pytest`) and the options that
// change how the test runs (rerun_options), with the random seed pytest session `session`
// (0-based) of attempt `attempt` used (RunModel::seed_options; attempt 0: the first), prefixed by
// `cd <rootdir> &&` when pytest's rootdir (node ids are relative to it) is not the working
// directory.
std::string rerun_command(const RunModel& run, const std::string& target, int attempt = 0,
                          int session = 0);

}  // namespace blackbox::postmortem
