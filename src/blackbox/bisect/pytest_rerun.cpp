#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <thread>

#include <fmt/format.h>

#include <blackbox/base/error.hpp>
#include <blackbox/base/file_io.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/bisect/pytest_rerun.hpp>
#include <blackbox/journal/process_files.hpp>
#include <blackbox/plugin/plugin_environment.hpp>
#include <blackbox/postmortem/run_loader.hpp>
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

// The last non-empty line of a log, at most 300 bytes: what a failed start said.
std::string last_line(const std::filesystem::path& log) {
    std::string text = base::read_file(log).value_or("");
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    auto start = text.rfind('\n');
    std::string line = start == std::string::npos ? text : text.substr(start + 1);
    if (line.size() > 300) {
        line.resize(300);
    }
    return line;
}

std::string ended(const supervise::ExitStatus& status) {
    return status.code() ? fmt::format("exit code {}", *status.code())
                         : fmt::format("signal {}", status.signal().value_or(0));
}

}  // namespace

std::vector<std::string> rerun_arguments(const std::vector<std::string>& ordered) {
    std::vector<std::string> arguments{"-p", "no:randomly", "-p", "no:cacheprovider", "-q"};
    arguments.insert(arguments.end(), ordered.begin(), ordered.end());
    return arguments;
}

PytestRerun::PytestRerun(std::vector<std::string> prefix, std::filesystem::path rootdir,
                         std::filesystem::path log_dir, std::filesystem::path plugin_dir,
                         RerunLimit limit, std::filesystem::path native_library)
    : prefix_(std::move(prefix)),
      rootdir_(std::move(rootdir)),
      log_dir_(std::move(log_dir)),
      plugin_dir_(std::move(plugin_dir)),
      native_library_(std::move(native_library)),
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
    auto record_name = fmt::format("rerun-{:02}", count_);
    auto record_dir = log_dir_ / record_name;
    // What an earlier bisect left is replaced (names removed, never written through).
    ::unlinkat(log_directory_.fd(), log_name.c_str(), 0);
    log_directory_.remove_tree(record_name);
    log_directory_.subdirectory(record_name);
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
    spec.environment = plugin::inject(
        environment_, {plugin_dir_, record_dir, 1, false, true, "", native_library_});
    spec.stdin_fd = null.get();
    spec.stdout_fd = log.get();
    spec.stderr_fd = log.get();
    spec.parent_death_signal = SIGKILL;  // a killed bisect leaves no rerun behind
    auto spawned = [&] {
        WorkingDirectory in_rootdir(rootdir_);
        return supervise::spawn_child(spec);
    }();
    if (!spawned.child) {
        throw Error(errno_message(executable_.string(), spawned.exec_errno), kRerunFailed);
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
    if (last_signal_) {
        return true;
    }
    // No crash, if pytest ran the tests: its plugin journal says it started, and how its session
    // ended.
    const auto files = journal::find_process_files(record_dir);
    const bool started = std::any_of(files.begin(), files.end(),
                                     [](const auto& process) { return !process.is_worker(); });
    if (!started) {
        throw Error(fmt::format("rerun {} could not start pytest ({}): {} (see {})", count_,
                                ended(*child.status()), last_line(log_path), log_path.string()),
                    kRerunFailed);
    }
    auto run = postmortem::load_run(record_dir);
    if (run.pytest_exitstatus && *run.pytest_exitstatus != 0 && *run.pytest_exitstatus != 1) {
        throw Error(
            fmt::format("rerun {}: pytest did not run the tests (its exit status {}): {} "
                        "(see {})",
                        count_, *run.pytest_exitstatus, last_line(log_path), log_path.string()),
            kRerunFailed);
    }
    return false;
}

}  // namespace blackbox::bisect
