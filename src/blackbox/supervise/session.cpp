#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <blackbox/base/clock.hpp>
#include <blackbox/base/error.hpp>
#include <blackbox/base/unique_fd.hpp>
#include <blackbox/supervise/child_process.hpp>
#include <blackbox/supervise/child_subreaper.hpp>
#include <blackbox/supervise/command_lookup.hpp>
#include <blackbox/supervise/command_tree.hpp>
#include <blackbox/supervise/dead_man_switch.hpp>
#include <blackbox/supervise/input_relay.hpp>
#include <blackbox/supervise/output_log.hpp>
#include <blackbox/supervise/output_relay.hpp>
#include <blackbox/supervise/pseudo_terminal.hpp>
#include <blackbox/supervise/session.hpp>
#include <blackbox/supervise/signal_pipe.hpp>
#include <blackbox/supervise/status_bar.hpp>
#include <blackbox/supervise/terminal_lease.hpp>

namespace blackbox::supervise {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Once the group got SIGKILL, how long to wait for it to be gone: a process in uninterruptible
// sleep (D state) can take a while, and we do not wait forever for one.
constexpr milliseconds kKillWait{1000};
// How often the group is rechecked while waiting for leftovers to die: a member whose parent is
// not us dies without telling us.
constexpr milliseconds kGroupRecheck{10};

bool is_stop_signal(int sig) {
    return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT;
}

bool is_job_control_stop(int sig) {
    return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

std::string search_path(const std::vector<std::string>& environment) {
    for (const auto& entry : environment) {
        if (entry.rfind("PATH=", 0) == 0) {
            return entry.substr(5);
        }
    }
    return default_search_path();
}

struct Pipe {
    base::UniqueFd read;
    base::UniqueFd write;
};

Pipe make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw Error(errno_message("cannot create a pipe", errno));
    }
    return {base::UniqueFd(fds[0]), base::UniqueFd(fds[1])};
}

// The supervisor's poll() loop: signals from the self-pipe, the command's output, our terminal's
// input, on_tick, and the stop-grace deadline. Everything happens on the calling thread.
class Loop {
  public:
    Loop(const SessionOptions& options, SignalPipe& signals, ChildProcess& child,
         std::vector<OutputRelay>& outputs, TerminalLease& lease, SessionResult& result)
        : options_(options),
          signals_(signals),
          child_(child),
          outputs_(outputs),
          lease_(lease),
          result_(result),
          tick_(std::max(options.tick, milliseconds(1))),
          next_tick_(Clock::now() + tick_) {}

    // Our terminal's input goes to the pty master while set (nullptr: none).
    void relay_input(InputRelay* input) noexcept { input_ = input; }
    // SIGWINCH copies our stdout's window size to this pty master (-1: pipe mode).
    void resize_on_winch(int pty_master) noexcept { pty_master_ = pty_master; }
    // The status line to redraw after each tick, and to keep on the bottom row on SIGWINCH.
    void show_status(StatusBar* bar) noexcept { status_bar_ = bar; }

    bool outputs_closed() const noexcept {
        return std::none_of(outputs_.begin(), outputs_.end(),
                            [](const OutputRelay& relay) { return relay.open(); });
    }

    // Serves events until `done()` holds (true) or `deadline` passes (false). `recheck` bounds
    // each sleep, for conditions that no event announces.
    template <typename Done>
    bool run_until(Done done, std::optional<Clock::time_point> deadline,
                   std::optional<milliseconds> recheck = std::nullopt) {
        for (;;) {
            child_.reap();
            follow_stop();
            auto now = Clock::now();
            if (kill_at_ && now >= *kill_at_) {
                kill_at_.reset();
                result_.stop_escalated = child_.group().signal(SIGKILL);
            }
            if (done()) {
                return true;
            }
            if (deadline && now >= *deadline) {
                return false;
            }
            const bool running = !child_.status();
            if (running && options_.on_tick && now >= next_tick_) {
                options_.on_tick();
                if (status_bar_ != nullptr && options_.status) {
                    status_bar_->draw(options_.status(status_bar_->columns()));
                }
                next_tick_ = Clock::now() + tick_;
                continue;
            }
            auto wake = Clock::time_point::max();
            if (deadline) {
                wake = std::min(wake, *deadline);
            }
            if (kill_at_) {
                wake = std::min(wake, *kill_at_);
            }
            if (running && options_.on_tick) {
                wake = std::min(wake, next_tick_);
            }
            if (recheck) {
                wake = std::min(wake, now + *recheck);
            }
            wait_for_events(wake == Clock::time_point::max() ? -1 : timeout_ms(now, wake));
        }
    }

  private:
    static int timeout_ms(Clock::time_point now, Clock::time_point wake) {
        auto ms = std::chrono::ceil<milliseconds>(wake - now).count();
        return static_cast<int>(std::clamp<decltype(ms)>(ms, 0, INT_MAX));
    }

    enum class Source { signals, output, input, input_destination };

    void wait_for_events(int timeout) {
        fds_.clear();
        sources_.clear();
        add(signals_.fd(), POLLIN, Source::signals, 0);
        // Right after a small read the output is left alone for a moment: a command that prints
        // a little per test (pytest's progress dots) then writes into a pipe nobody waits on,
        // which costs it no wake-up of this process. The pipe keeps what is written, so nothing
        // is lost, and a large read (a full buffer) is followed by another read at once.
        auto now = Clock::now();
        bool resting = !child_.status() && now < output_rest_until_;
        if (resting) {
            timeout =
                std::min(timeout < 0 ? INT_MAX : timeout, timeout_ms(now, output_rest_until_));
        } else {
            for (std::size_t i = 0; i < outputs_.size(); ++i) {
                if (outputs_[i].open()) {
                    add(outputs_[i].fd(), POLLIN, Source::output, i);
                }
            }
        }
        if (input_ && input_->wants_input()) {
            add(input_->source(), POLLIN, Source::input, 0);
        }
        if (input_ && input_->wants_output()) {
            add(input_->destination(), POLLOUT, Source::input_destination, 0);
        }
        int ready = ::poll(fds_.data(), fds_.size(), timeout);
        if (ready < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                return;
            }
            throw Error(errno_message("poll", errno));
        }
        for (std::size_t i = 0; i < fds_.size() && ready > 0; ++i) {
            if (fds_[i].revents == 0) {
                continue;
            }
            --ready;
            const auto [source, index] = sources_[i];
            switch (source) {
                case Source::signals:
                    handle_signals();
                    break;
                case Source::output:
                    if (outputs_[index].pump(result_.output_last_byte) < kRestAfterReadsBelow) {
                        output_rest_until_ = Clock::now() + options_.output_coalesce;
                    }
                    break;
                case Source::input:
                    input_->read();
                    break;
                case Source::input_destination:
                    input_->write();
                    break;
            }
        }
    }

    void add(int fd, short events, Source source, std::size_t index) {
        fds_.push_back({fd, events, 0});
        sources_.emplace_back(source, index);
    }

    void handle_signals() {
        for (int sig : signals_.take()) {
            if (sig == SIGWINCH && pty_master_ >= 0) {
                if (status_bar_ != nullptr) {
                    status_bar_->resize();
                }
                copy_window_size(STDOUT_FILENO, pty_master_, reserved_rows());
            } else if (is_stop_signal(sig)) {
                forward(sig);
            }
            // SIGCHLD: the reap at the top of the loop does the work.
        }
    }

    // Ctrl-Z stopped the command on a terminal we lent it: stop with it (see TerminalLease).
    // Other stops (SIGSTOP from a debugger or a user) are none of our business.
    void follow_stop() {
        auto sig = child_.take_stop();
        if (sig && is_job_control_stop(*sig) && !child_.status() &&
            lease_.kind() != TerminalLease::Kind::none) {
            lease_.suspend(child_.pid());
            if (pty_master_ >= 0) {
                copy_window_size(STDOUT_FILENO, pty_master_,
                                 reserved_rows());  // resized meanwhile?
            }
        }
    }

    void forward(int sig) {
        child_.group().signal(sig);
        if (!child_.status() && !result_.forwarded_signal) {
            result_.forwarded_signal = sig;
        }
        if (!kill_at_ && !result_.stop_escalated) {
            kill_at_ = Clock::now() + options_.stop_grace;
        }
    }

    const SessionOptions& options_;
    SignalPipe& signals_;
    ChildProcess& child_;
    std::vector<OutputRelay>& outputs_;
    TerminalLease& lease_;
    SessionResult& result_;
    unsigned short reserved_rows() const noexcept {
        return status_bar_ != nullptr && status_bar_->active() ? 1 : 0;
    }

    InputRelay* input_ = nullptr;
    int pty_master_ = -1;
    StatusBar* status_bar_ = nullptr;
    milliseconds tick_;
    Clock::time_point next_tick_;
    std::optional<Clock::time_point> kill_at_;  // SIGKILL the group then (stop grace)
    Clock::time_point output_rest_until_;       // output is not polled before then
    static constexpr std::size_t kRestAfterReadsBelow = 16 * 1024;
    std::vector<pollfd> fds_;
    std::vector<std::pair<Source, std::size_t>> sources_;
};

}  // namespace

SessionResult run_session(const SessionOptions& options) {
    if (options.argv.empty()) {
        throw Error("run_session: the command is empty");
    }
    SessionResult result;
    // A name with a slash goes to execve as is, so a non-executable file gives EACCES as with
    // execvp; a name is searched for up front, so "not found" never needs a fork.
    std::optional<std::filesystem::path> executable = options.argv[0];
    if (options.argv[0].find('/') == std::string::npos) {
        executable = find_executable(options.argv[0], search_path(options.environment));
    }
    if (!executable) {
        result.spawn_errno = ENOENT;
        result.status = ExitStatus::exited(127);
        return result;
    }

    OutputLog log(options.output_log, options.output_log_max);
    // Before anything else is forked or opened: the watcher must not inherit the command's
    // pipes, and must not be our child (it is reparented elsewhere before we are a subreaper).
    DeadManSwitch guard(options.tree_cgroup, options.death_note);
    // SIGPIPE: a closed stdout of ours must not kill the recorder (the log goes on). SIGTTOU:
    // relaying to a terminal whose foreground is the command's (pipe mode) must not stop us when
    // TOSTOP is set, nor must restoring its settings or its foreground.
    SignalPipe signals({SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGWINCH}, {SIGPIPE, SIGTTOU});
    ChildSubreaper subreaper;

    const bool use_pty = options.allow_terminal && ::isatty(STDOUT_FILENO) != 0;
    const bool stdin_terminal = ::isatty(STDIN_FILENO) != 0;
    const bool stdin_ours = stdin_terminal && is_foreground_terminal(STDIN_FILENO);
    result.terminal = use_pty;

    LaunchSpec spec;
    spec.executable = *executable;
    spec.argv = options.argv;
    spec.environment = options.environment;
    spec.signal_dispositions = signals.dispositions_for_exec();
    spec.pre_exec_writes = options.pre_exec_writes;
    spec.parent_death_signal = SIGKILL;  // pytest must not run on without us
    std::optional<PseudoTerminal> pty;
    Pipe out;
    Pipe err;
    TerminalLease lease(STDIN_FILENO, !stdin_ours ? TerminalLease::Kind::none
                                      : use_pty   ? TerminalLease::Kind::raw_input
                                                  : TerminalLease::Kind::foreground);
    // Declared before the terminal is lent and destroyed after it is taken back: the bottom row
    // is returned to the screen once the command's output is all out.
    std::optional<StatusBar> status_bar;
    if (use_pty && options.status) {
        status_bar.emplace(STDOUT_FILENO);
    }
    if (use_pty) {
        pty = open_pseudo_terminal(STDOUT_FILENO);
        if (status_bar && status_bar->active()) {
            copy_window_size(STDOUT_FILENO, pty->slave.get(), 1);
        }
        spec.controlling_terminal = pty->slave.get();
        spec.stdout_fd = pty->slave.get();
        // A terminal stdin becomes the pty: our keys go there when the terminal is ours; when we
        // are a background job nothing comes, and reads wait as a background job's would.
        spec.stdin_fd = stdin_terminal ? pty->slave.get() : -1;
        if (::isatty(STDERR_FILENO) != 0) {
            spec.stderr_fd = pty->slave.get();
        } else {
            err = make_pipe();
            spec.stderr_fd = err.write.get();
        }
    } else {
        out = make_pipe();
        err = make_pipe();
        spec.stdout_fd = out.write.get();
        spec.stderr_fd = err.write.get();
        if (stdin_ours) {
            spec.foreground_terminal = STDIN_FILENO;
        }
    }

    // Children we already have are not the command's (only its orphans join them).
    const std::vector<pid_t> children_before = children_of(::getpid());
    auto spawned = spawn_child(spec);
    // Only the command holds the write side now, so end of stream means it (and anything it
    // passed the descriptors to) closed them.
    out.write.reset();
    err.write.reset();
    if (pty) {
        pty->slave.reset();
    }
    if (!spawned.child) {
        result.spawn_errno = spawned.exec_errno;
        result.spawn_failed_write = spawned.failed_write;
        // 127 is "not found" for the command only; a failed pre-exec write is "cannot run" (126).
        const bool not_found = !spawned.failed_write && spawned.exec_errno == ENOENT;
        result.status = ExitStatus::exited(not_found ? 127 : 126);
        return result;
    }
    ChildProcess& child = *spawned.child;
    result.pid = child.pid();
    guard.arm(child.pid());

    std::vector<OutputRelay> outputs;
    outputs.reserve(2);
    if (pty) {
        base::UniqueFd master_copy(::fcntl(pty->master.get(), F_DUPFD_CLOEXEC, 0));
        if (!master_copy) {
            throw Error(errno_message("cannot duplicate the pty master", errno));
        }
        outputs.emplace_back(std::move(master_copy), STDOUT_FILENO, log);
    } else {
        outputs.emplace_back(std::move(out.read), STDOUT_FILENO, log);
    }
    if (err.read) {
        outputs.emplace_back(std::move(err.read), STDERR_FILENO, log);
    }
    std::optional<InputRelay> input;
    if (pty && stdin_ours) {
        input.emplace(STDIN_FILENO, pty->master.get());
    }
    lease.lend(child.pid());

    Loop loop(options, signals, child, outputs, lease, result);
    loop.relay_input(input ? &*input : nullptr);
    loop.resize_on_winch(pty ? pty->master.get() : -1);
    loop.show_status(status_bar && status_bar->active() ? &*status_bar : nullptr);
    if (options.on_started) {
        options.on_started(child.pid());
    }

    loop.run_until([&] { return child.status().has_value(); }, std::nullopt);
    result.exited_ns = base::monotonic_ns();
    loop.show_status(nullptr);
    // The terminal is ours again at once, so that a Ctrl-C during the cleanup reaches us.
    loop.relay_input(nullptr);
    lease.take_back();

    const auto outputs_closed = [&] { return loop.outputs_closed(); };
    loop.run_until(outputs_closed, Clock::now() + options.drain_timeout);
    // What is left of the tree: the group, and whatever left it (found by parentage below us,
    // the subreaper, and by the cgroup). A first SIGTERM, then SIGKILL; rechecked as it goes,
    // since a dying process may still start another.
    TreeScope scope{child.pid(), subreaper.active() ? ::getpid() : 0, options.tree_cgroup,
                    children_before};
    if (guard.pid() > 0) {
        scope.excluded.push_back(guard.pid());
    }
    LeftoverSweep sweep(std::move(scope), child.pid());
    const auto tree_gone = [&] {
        const bool none_running = sweep.refresh();
        return none_running && !child.group().alive();
    };
    const bool group_left = child.group().alive();
    if (!tree_gone()) {
        child.group().signal(SIGTERM);
        child.group().signal(SIGCONT);  // a stopped leftover acts on SIGTERM only once continued
        const auto terminated = [&] {
            const bool gone = tree_gone();
            sweep.terminate_new();
            return gone;
        };
        if (!loop.run_until(terminated, Clock::now() + options.leftover_grace, kGroupRecheck)) {
            const auto killed = [&] {
                child.group().signal(SIGKILL);
                sweep.signal(SIGKILL);
                return tree_gone();
            };
            loop.run_until(killed, Clock::now() + kKillWait, kGroupRecheck);
        }
        loop.run_until(outputs_closed, Clock::now() + options.drain_timeout);
    }
    result.leftovers = sweep.result();
    result.leftovers_terminated = group_left || !result.leftovers.empty();
    child.reap();
    result.status = *child.status();
    result.log_errno = log.error();
    result.log_loss = log.loss();
    guard.disarm();
    return result;
}

}  // namespace blackbox::supervise
