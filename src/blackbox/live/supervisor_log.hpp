#pragma once

// The supervisor's own journal, `supervisor.jsonl` in the run directory: what its watchdogs
// saw and did (docs/formats/run-directory.md). Written like the plugin's journals: one JSON
// object per line, one write() each, O_APPEND, so it survives the supervisor's own death.

#include <filesystem>

#include <nlohmann/json.hpp>

#include <blackbox/base/unique_fd.hpp>

namespace blackbox::live {

class SupervisorLog {
  public:
    // Opens (creates) the file; a file that cannot be opened makes every write a no-op.
    explicit SupervisorLog(const std::filesystem::path& path);

    // Appends `record` with its "ev" and the current monotonic "ns". Never throws on I/O.
    void write(const std::string& ev, nlohmann::json record);

  private:
    base::UniqueFd fd_;
};

}  // namespace blackbox::live
