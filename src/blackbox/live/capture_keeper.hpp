#pragma once

// Keeps pytest's capture files alive: while a pytest process lives, its capture files (unlinked
// temporary files, named in its session_start record) are opened through /proc/<pid>/fd/<n>.
// After the process died they can still be read: what the dying test printed in its phase, up
// to the death. They are saved as capture/<stem>.stdout and .stderr in the run directory.

#include <filesystem>
#include <string>
#include <vector>

#include <blackbox/base/unique_fd.hpp>
#include <blackbox/live/run_watch.hpp>

namespace blackbox::live {

class CaptureKeeper {
  public:
    explicit CaptureKeeper(std::filesystem::path run_dir) : run_dir_(std::move(run_dir)) {}

    // Opens the capture files of processes seen for the first time.
    void follow(const RunWatch& watch);

    // Saves the capture of every process that did not finish (its journal has no end), then
    // lets go of all of them. Keeps the last `max_bytes` of each stream.
    void save_unfinished(const RunWatch& watch, std::size_t max_bytes = 1 << 20);

  private:
    struct Kept {
        std::string stem;
        long pid;
        base::UniqueFd stdout_fd, stderr_fd;
    };
    std::filesystem::path run_dir_;
    std::vector<Kept> kept_;
};

}  // namespace blackbox::live
