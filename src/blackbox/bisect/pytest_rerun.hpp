#pragma once

// The real CrashOracle: runs pytest on an ordered list of node ids, as one process, and says
// whether it died of a signal. A rerun that runs past its time limit is killed (its whole process
// group); it counts as a crash only when the crash being bisected was a hang. A rerun that ended
// without a crash counts as "no crash" only when pytest ran the tests: each rerun is recorded by
// the bundled plugin into its own directory, and a rerun whose pytest never started (no journal:
// "No module named pytest", a conftest that cannot be imported) or that ended its session
// without running them (pytest's exit status other than 0 or 1) is an error, never an answer.
// pytest runs
// command-line node ids in the order given (it only drops repeats), `-p no:randomly` keeps
// pytest-randomly from shuffling them and
// `-p no:cacheprovider` keeps the reruns out of the user's --lf cache.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <blackbox/base/directory.hpp>

namespace blackbox::bisect {

// The exit status of `blackbox bisect` when a rerun could not start pytest or run the tests.
inline constexpr int kRerunFailed = 3;

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
    // (node ids are relative to it); each rerun's output goes to `log_dir`/rerun-<n>.log and
    // its recording to `log_dir`/rerun-<n>/. `plugin_dir` holds the pytest_blackbox package;
    // `native_library` is the native stacks' handler library ("": none).
    PytestRerun(std::vector<std::string> prefix, std::filesystem::path rootdir,
                std::filesystem::path log_dir, std::filesystem::path plugin_dir, RerunLimit limit,
                std::filesystem::path native_library = {});

    // Runs pytest and waits for it, at most the limit's seconds. True when it was killed by a
    // signal (a crash: segfault, abort, …; the signal is kept for last_signal()), or ran past the
    // limit when that counts as a crash (timed_out()); false when pytest ran the tests and did
    // not crash. Throws blackbox::Error (exit status kRerunFailed) when the command cannot be
    // started, when pytest did not start, or when it did not run the tests.
    bool operator()(const std::vector<std::string>& ordered);

    std::optional<int> last_signal() const { return last_signal_; }
    bool timed_out() const { return timed_out_; }  // the last rerun ran past the limit

  private:
    std::vector<std::string> prefix_;
    std::filesystem::path rootdir_;
    std::filesystem::path log_dir_;
    base::Directory log_directory_;  // log_dir_, open: never written through a link
    std::filesystem::path plugin_dir_;
    std::filesystem::path native_library_;
    std::filesystem::path executable_;
    std::vector<std::string> environment_;
    std::size_t count_ = 0;
    RerunLimit limit_;
    std::optional<int> last_signal_;
    bool timed_out_ = false;
};

}  // namespace blackbox::bisect
