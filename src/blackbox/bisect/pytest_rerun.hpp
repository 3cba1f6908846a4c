#pragma once

// The real CrashOracle: runs pytest on an ordered list of node ids, as one process, and says
// whether it died of a signal. A rerun that runs past its time limit is killed (its whole process
// group); it counts as a crash only when the crash being bisected was a hang. pytest runs
// command-line node ids in the order given (it only drops repeats), `-p no:randomly` keeps
// pytest-randomly from shuffling them and
// `-p no:cacheprovider` keeps the reruns out of the user's --lf cache.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/base/directory.hpp>

namespace blackbox::bisect {

// pytest's arguments for `ordered` (options first, then the node ids).
std::vector<std::string> rerun_arguments(const std::vector<std::string>& ordered);

// How long one rerun may take, and what running past it means.
struct RerunLimit {
    double seconds = 600;
    bool hang_is_crash = false;  // the bisected crash was a hang: a rerun that hangs reproduces it
};

class PytestRerun {
  public:
    // `prefix` starts pytest (`python -m pytest`, from the run's command), run in `rootdir`
    // (node ids are relative to it); each rerun's output goes to `log_dir`/rerun-<n>.log.
    PytestRerun(std::vector<std::string> prefix, std::filesystem::path rootdir,
                std::filesystem::path log_dir, RerunLimit limit);

    // Runs pytest and waits for it, at most the limit's seconds. True when it was killed by a
    // signal (a crash: segfault, abort, …; the signal is kept for last_signal()), or ran past the
    // limit when that counts as a crash (timed_out()). Throws blackbox::Error when pytest cannot
    // be started.
    bool operator()(const std::vector<std::string>& ordered);

    std::optional<int> last_signal() const { return last_signal_; }
    bool timed_out() const { return timed_out_; }  // the last rerun ran past the limit

  private:
    std::vector<std::string> prefix_;
    std::filesystem::path rootdir_;
    std::filesystem::path log_dir_;
    base::Directory log_directory_;  // log_dir_, open: never written through a link
    std::filesystem::path executable_;
    std::vector<std::string> environment_;
    std::size_t count_ = 0;
    RerunLimit limit_;
    std::optional<int> last_signal_;
    bool timed_out_ = false;
};

}  // namespace blackbox::bisect
