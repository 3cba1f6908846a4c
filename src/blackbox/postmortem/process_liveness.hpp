#pragma once

// Whether a process a run directory names (a journal's `<attempt>-<role>-<pid>`, the supervisor
// of supervisor.jsonl) is still running: its pid is checked against /proc, and verified by its
// identity (sample/process_identity.hpp) so that a reused pid is not taken for it. A run whose
// processes still run is going on, and what its journals end with is not a death.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <blackbox/journal/process_replay.hpp>
#include <blackbox/postmortem/run_model.hpp>

namespace blackbox::postmortem {

// What the run recorded about a process.
struct ProcessIdentity {
    long pid = 0;
    std::optional<std::string> boot_id;      // the boot it ran in
    std::optional<std::uint64_t> starttime;  // /proc/<pid>/stat field 22 as it was
};

// `pid`, `boot_id` and `starttime` of a record (a journal's `start`, supervisor.jsonl's
// `supervisor`).
ProcessIdentity identity_of(const nlohmann::json& record);

// This machine's processes, behind a seam (a recorded table in tests).
class ProcessTable {
  public:
    virtual ~ProcessTable() = default;
    // The text of /proc/<pid>/stat; nullopt when there is no such process.
    virtual std::optional<std::string> stat(long pid) const;
    // This boot's id; nullopt when hidden.
    virtual std::optional<std::string> boot_id() const;
};

// True when a process with that pid exists, has not exited (a zombie is dead), and is the one
// recorded: the same start time, in the same boot when both boots are known. Without a recorded
// start time (a journal older than these records) nothing can be verified: false, as if dead.
bool still_running(const ProcessIdentity& identity, const ProcessTable& table);

// The run's processes still running: its supervisor (`supervisor`, unless the run has `ended`,
// i.e. end.json was written) and every journaled process whose journal has no `exit` record,
// each with where its journal says it is.
std::vector<RunningProcess> running_processes(const std::vector<journal::ProcessReplay>& replays,
                                              const std::optional<ProcessIdentity>& supervisor,
                                              bool ended, const ProcessTable& table);

}  // namespace blackbox::postmortem
