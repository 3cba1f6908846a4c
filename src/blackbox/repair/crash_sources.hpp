#pragma once

// The crashed tests of a postprocess: from a run directory's model and from crashed-tests logs,
// deduplicated by node id.

#include <vector>

#include <blackbox/postmortem/run_model.hpp>
#include <blackbox/repair/crash_entry.hpp>

namespace blackbox::repair {

// One entry per crash of the run that names a node (a test, or the module being collected);
// crashes outside any test (session start-up, interpreter exit) name nothing and are left out.
std::vector<CrashEntry> crashes_of_run(const postmortem::RunModel& run);

// `first` then `second`, one entry per node id in order of first appearance. When a node id
// appears twice, the first entry wins and only its missing facts are filled from the later
// one (so a run directory's cause and traceback are kept and a log's GPU id is added).
std::vector<CrashEntry> merge_crashes(const std::vector<CrashEntry>& first,
                                      const std::vector<CrashEntry>& second);

}  // namespace blackbox::repair
