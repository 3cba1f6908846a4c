#pragma once

// The settings of a run that change its figures, read from its first attempt's journals: how
// many xdist workers ran the tests (a test's time and memory depend on what shares the machine
// and its process), whether every record was followed by an fdatasync(), and which shard of a
// plan it ran. They are no part of the execution context (EXECUTION_CONTEXTS, whose hash
// pytest-monitor defines): compare matches them as a key of their own.

#include <vector>

#include <blackbox/journal/process_replay.hpp>
#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

// The workers are those started before the first test did: xdist replaces a worker that died
// with a new one (gw2 after gw1 of `-n 2`), which is no more workers at a time.
RunSettings run_settings(const std::vector<journal::ProcessReplay>& replays, const RunModel& run);

}  // namespace blackbox::postmortem
