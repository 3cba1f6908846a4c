#pragma once

// The tests the user's stop caught running: SIGINT, SIGTERM or SIGHUP sent to blackbox (and
// forwarded to pytest's group), Ctrl-C on pytest's terminal, or pytest.exit. Such a test has no
// outcome of its own (pytest reports none for it) and is no crash; without this it would read
// as "not run", which it was not.

#include <vector>

#include <blackbox/journal/process_replay.hpp>
#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

// One per process that was in a test when it was stopped: its `interrupt` record came during a
// test (pytest handled the KeyboardInterrupt or Exit), or the supervisor forwarded a signal to
// the attempt and the journal ends in a test. A process that crashed (one of `run.crashes`)
// is left out: its test crashed. Reads `run.attempt_ends` and `run.crashes`.
std::vector<Interruption> find_interruptions(const std::vector<journal::ProcessReplay>& replays,
                                             const RunModel& run);

// "stopped by SIGTERM in the call, 3.9 s in" / "KeyboardInterrupt in the setup": for people.
std::string describe_interruption(const Interruption& interruption);

}  // namespace blackbox::postmortem
