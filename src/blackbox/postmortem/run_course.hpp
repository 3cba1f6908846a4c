#pragma once

// Where the first attempt's time went besides its tests: the command's start-up (the
// interpreter, imports, plugins, xdist's workers), the collection, and what followed the last
// test (fixtures' teardown, the session's end, the interpreter's exit). Every run of the suite
// pays them whatever tests it runs; `blackbox plan` adds them to a shard's tests.

#include <vector>

#include <blackbox/journal/process_replay.hpp>
#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

// From the first attempt's journals and tests: the launch is the supervisor's start of the
// command (attempts.json), else the main journal's `start` record (plain pytest: the interpreter
// had started already); collection begins with the first `collect` record of any process (xdist:
// the first worker's); the tests span from the first test's start to the last one's end, over
// every process; the end is the supervisor's (attempts.json), else the last record of any
// journal. A figure whose two instants are not both known is empty.
RunCourse run_course(const std::vector<journal::ProcessReplay>& replays, const RunModel& run);

}  // namespace blackbox::postmortem
