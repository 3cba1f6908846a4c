#pragma once

// The end of `blackbox run`, once pytest has ended: the last files of the run directory
// (attempts.json, end.json, postmortem.json, the reports and the crash logs), the post-mortem
// for the user, the run's metrics stored and the run pushed to a server. What cannot be written
// (a full disk) is said and recorded in end.json; it never changes the run's exit status.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <vector>

#include <blackbox/base/directory.hpp>
#include <blackbox/push/push.hpp>
#include <blackbox/record/recording.hpp>
#include <blackbox/report/report_set.hpp>

namespace blackbox::record {

struct FinishOptions {
    std::filesystem::path run_dir;
    const base::Directory* directory = nullptr;     // run_dir, open (written through it)
    std::int64_t started_wall_ns = 0;               // the run's start (run.json's `started`)
    std::filesystem::path cwd;                      // where blackbox runs: names are shown from it
    report::ReportSet reports;                      // report.html is also written into the run
    std::optional<std::filesystem::path> database;  // the metrics database; nullopt: none
    push::PushOptions push;                         // an empty url: no push
    bool color = false;                             // the post-mortem in ANSI colours
};

// The exit status when the recorder itself cannot work (no run directory, no plugin).
inline constexpr int kRecorderError = 3;

// Says on `out` that `name` could not be written into `run_dir` (errno `error`) and adds it to
// `failures`, for end.json's `write_failures`.
void note_write_failure(const base::Directory& run_dir, const char* name, int error,
                        std::vector<WriteFailure>& failures, std::ostream& out);

// Finishes the recorded run `result` (attempts.json first: it may use the room the run
// directory kept for its last files, which the caller has released); `failures` holds what the
// recording could not write so far (run.json). Says the post-mortem and every warning on `out`.
// Returns the exit status of `blackbox run` (docs/commands/run.md): the run's, or pytest's own
// when the run directory cannot be read back. Never throws for a file it cannot write.
int finish_run(const FinishOptions& options, RecordingResult result,
               std::vector<WriteFailure> failures, std::ostream& out);

}  // namespace blackbox::record
