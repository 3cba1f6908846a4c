#pragma once

// When each crashed process died, and so how long its test ran: a test that is killed writes no
// record at its death, so its phase in flight has no end in the journal; without a date for the
// death its duration would be that of the phases that ended (near zero for a test killed in its
// call, however long it allocated).

#include <vector>

#include <blackbox/journal/process_replay.hpp>
#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

// Sets each crash's `died_ns` from the best record of the death, in this order:
// - a journal's own time: the xdist controller's `worker_down` (or `worker_crash`) record of
//   the worker, written when it saw the worker die;
// - the supervisor's: its wait of the main process (attempts.json's `exited_ns`), then the last
//   sample of the memory trail in which the process still had memory (within one interval of
//   the death; `memory_at`: call after the trail is read), then the run's end (end.json);
// and never before the process's last journal record or the phase's beginning. Left unset when
// nothing dates it (a plugin-mode run's main process killed outright).
void date_deaths(RunModel& run, const std::vector<journal::ProcessReplay>& replays);

// Gives each crashed test whose death is dated its phase cut short (TestResult::cut): from the
// phase's beginning to the death.
void cut_crashed_tests(RunModel& run);

}  // namespace blackbox::postmortem
