#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <thread>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/bisect/pytest_rerun.hpp>
#include <blackbox/plugin/plugin_environment.hpp>
#include <blackbox/supervise/child_process.hpp>
#include <blackbox/supervise/command_lookup.hpp>

namespace blackbox::bisect {

namespace {

constexpr auto kPoll = std::chrono::milliseconds(20);

// Our environment without the recorder's variables: a rerun is not part of any recorded run.
std::vector<std::string> rerun_environment() {
    std::vector<std::string> environment;
    for (auto& entry : plugin::current_environment()) {
        if (!entry.starts_with("BLACKBOX_")) {
            environment.push_back(std::move(entry));
        }
    }
    return environment;
}

// Changes the working directory for the scope of a spawn (the launcher has no `cwd`; the
// command is single-threaded).
class WorkingDirectory {
  public:
    explicit WorkingDirectory(const std::filesystem::path& dir)
        : previous_(std::filesystem::current_path()) {
        std::filesystem::current_path(dir);
    }
    ~WorkingDirectory() {
        std::error_code ignored;
        std::filesystem::current_path(previous_, ignored);
    }
    WorkingDirectory(const WorkingDirectory&) = delete;
    WorkingDirectory& operator=(const WorkingDirectory&) = delete;

  private:
    std::filesystem::path previous_;
};

}  // namespace

std::vector<std::string> rerun_arguments(const std::vector<std::string>& ordered) {
    std::vector<std::string> arguments{"-p", "no:randomly", "-p", "no:cacheprovider", "-q"};
    arguments.insert(arguments.end(), ordered.begin(), ordered.end());
    return arguments;
}

PytestRerun::PytestRerun(std::vector<std::string> prefix, std::filesystem::path rootdir,
                         std::filesystem::path log_dir, RerunLimit limit)
    : prefix_(std::move(prefix)),
      rootdir_(std::move(rootdir)),
      log_dir_(std::move(log_dir)),
      environment_(rerun_environment()),
      limit_(limit) {
    const char* path = std::getenv("PATH");
    auto found =
        supervise::find_executable(prefix_.at(0), path ? path : supervise::default_search_path());
    if (!found) {
        throw Error(fmt::format("{}: command not found", prefix_.at(0)), 127);
    }
    executable_ = *found;
    // The logs go into the run directory, which is not trusted: bisect/ is never a link.
    log_directory_ =
        base::Directory::open(log_dir_.parent_path()).subdirectory(log_dir_.filename().string());
}

bool PytestRerun::operator()(const std::vector<std::string>& ordered) {
    auto log_name = fmt::format("rerun-{:02}.log", ++count_);
    auto log_path = log_dir_ / log_name;
    // A log of an earlier bisect is replaced (its name removed, never written through).
    ::unlinkat(log_directory_.fd(), log_name.c_str(), 0);
    base::UniqueFd log = log_directory_.create_file(log_name);
    base::UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!log || !null) {
        throw Error(errno_message(log_path.string(), errno));
    }
    supervise::LaunchSpec spec;
    spec.executable = executable_;
    spec.argv = prefix_;
    for (auto& word : rerun_arguments(ordered)) {
        spec.argv.push_back(std::move(word));
    }
    spec.environment = environment_;
    spec.stdin_fd = null.get();
    spec.stdout_fd = log.get();
    spec.stderr_fd = log.get();
    auto spawned = [&] {
        WorkingDirectory in_rootdir(rootdir_);
        return supervise::spawn_child(spec);
    }();
    if (!spawned.child) {
        throw Error(errno_message(executable_.string(), spawned.exec_errno), 127);
    }
    auto& child = *spawned.child;
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(limit_.seconds));
    timed_out_ = false;
    while (!child.status()) {
        child.reap();
        if (child.status()) {
            break;
        }
        if (!timed_out_ && std::chrono::steady_clock::now() >= deadline) {
            timed_out_ = true;
            child.group().signal(SIGKILL);  // pytest and whatever it started
        }
        std::this_thread::sleep_for(kPoll);
    }
    if (timed_out_) {
        last_signal_.reset();  // our SIGKILL, not the test's crash
        return limit_.hang_is_crash;
    }
    last_signal_ = child.status()->signal();
    return last_signal_.has_value();
}

}  // namespace blackbox::bisect
