// When the supervisor dies without ending its session: the command's parent-death signal and the
// dead man's switch. Each test runs the "supervisor" in a forked child of the test, and SIGKILLs
// it, as the OOM killer or a CI timeout would.

#include <chrono>
#include <csignal>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include <blackbox/limit/cgroup_places.hpp>
#include <blackbox/limit/tree_group.hpp>
#include <blackbox/supervise/child_process.hpp>
#include <blackbox/supervise/dead_man_switch.hpp>

#include "session_support.hpp"

namespace blackbox::supervise {
namespace {

using namespace std::chrono_literals;
using test_support::slurp;
using test_support::TempDir;

// The process state letter of `pid` ('?' when there is no such process).
char state_of(pid_t pid) {
    auto stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

// Gone, or a zombie waiting for a parent that is not us: dead either way.
bool dead(pid_t pid) {
    const char state = state_of(pid);
    return state == '?' || state == 'Z' || state == 'X';
}

bool dies_within(pid_t pid, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!dead(pid)) {
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

// A pipe the "supervisor" child reports pids through.
struct PidPipe {
    int fds[2];
    PidPipe() { EXPECT_EQ(::pipe(fds), 0); }
    ~PidPipe() {
        ::close(fds[0]);
        ::close(fds[1]);
    }
    void send(pid_t pid) const { [[maybe_unused]] auto n = ::write(fds[1], &pid, sizeof pid); }
    pid_t receive() const {
        pid_t pid = -1;
        return ::read(fds[0], &pid, sizeof pid) == sizeof pid ? pid : -1;
    }
};

// Forks a child running `body` (which never returns); returns its pid.
template <typename Body>
pid_t fork_supervisor(Body body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        body();
        ::_exit(0);
    }
    return pid;
}

// A process leading its own group and sleeping, started with fork (no exec).
pid_t sleeping_group() {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);
        ::execl("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    return pid;
}

struct KillAtExit {
    std::vector<pid_t> pids;
    ~KillAtExit() {
        for (pid_t pid : pids) {
            if (pid > 0 && !dead(pid)) {
                ::kill(pid, SIGKILL);
            }
        }
    }
};

TEST(ParentDeathSignal, TheCommandDiesWithItsSupervisor) {
    PidPipe pipe;
    const pid_t supervisor = fork_supervisor([&] {
        LaunchSpec spec;
        spec.executable = "/bin/sleep";
        spec.argv = {"sleep", "60"};
        spec.parent_death_signal = SIGKILL;
        auto spawned = spawn_child(spec);
        pipe.send(spawned.child ? spawned.child->pid() : -1);
        ::pause();
    });
    const pid_t command = pipe.receive();
    KillAtExit cleanup{{command, supervisor}};
    ASSERT_GT(command, 0);
    EXPECT_FALSE(dead(command));
    ::kill(supervisor, SIGKILL);
    ::waitpid(supervisor, nullptr, 0);
    EXPECT_TRUE(dies_within(command, 5000ms));
}

TEST(DeadManSwitch, KillsTheArmedGroupAndSaysSoWhenTheSupervisorDies) {
    TempDir dir;
    const auto note = dir / "supervisor.jsonl";
    std::ofstream(note) << "{\"ev\":\"limit\"}\n";
    PidPipe pipe;
    const pid_t supervisor = fork_supervisor([&] {
        DeadManSwitch guard("", {note.string(), R"({"ev":"supervisor_lost","attempt":2,)"});
        const pid_t group = sleeping_group();  // no parent-death signal: the switch must act
        guard.arm(group);
        pipe.send(guard.active() ? guard.pid() : -1);
        pipe.send(group);
        ::pause();
    });
    const pid_t watcher = pipe.receive();
    const pid_t group = pipe.receive();
    KillAtExit cleanup{{group, supervisor}};
    ASSERT_GT(watcher, 0);
    ASSERT_GT(group, 0);
    EXPECT_NE(state_of(watcher), '?');
    ::kill(supervisor, SIGKILL);
    ::waitpid(supervisor, nullptr, 0);
    EXPECT_TRUE(dies_within(group, 5000ms));
    EXPECT_TRUE(dies_within(watcher, 5000ms));
    const auto text = slurp(note);
    EXPECT_EQ(
        text.rfind("{\"ev\":\"limit\"}\n{\"ev\":\"supervisor_lost\",\"attempt\":2,\"ns\":", 0), 0u)
        << text;
    EXPECT_NE(text.find("\"group_killed\":true,\"cgroup_killed\":0}\n"), std::string::npos) << text;
}

TEST(DeadManSwitch, DisarmedItLeavesTheCommandAloneAndExits) {
    TempDir dir;
    const auto note = dir / "supervisor.jsonl";
    PidPipe pipe;
    const pid_t supervisor = fork_supervisor([&] {
        const pid_t group = sleeping_group();
        {
            DeadManSwitch guard("", {note.string(), "{"});
            guard.arm(group);
            pipe.send(guard.pid());
            pipe.send(group);
        }  // disarmed
        ::_exit(0);
    });
    const pid_t watcher = pipe.receive();
    const pid_t group = pipe.receive();
    KillAtExit cleanup{{group}};
    ::waitpid(supervisor, nullptr, 0);
    ASSERT_GT(watcher, 0);
    EXPECT_TRUE(dies_within(watcher, 5000ms));
    std::this_thread::sleep_for(100ms);
    EXPECT_FALSE(dead(group));
    EXPECT_FALSE(std::filesystem::exists(note));
}

TEST(DeadManSwitch, AWatcherKilledBeforeTheEndDoesNotTakeUsWithIt) {
    const pid_t supervisor = fork_supervisor([] {
        ::signal(SIGPIPE, SIG_DFL);  // as outside a session
        DeadManSwitch guard("", {});
        if (!guard.active()) {
            ::_exit(3);
        }
        ::kill(guard.pid(), SIGKILL);
        for (int i = 0; i < 1000 && !dead(guard.pid()); ++i) {
            std::this_thread::sleep_for(5ms);
        }
        guard.arm(4242);
        guard.disarm();
        ::_exit(0);
    });
    int status = 0;
    ASSERT_EQ(::waitpid(supervisor, &status, 0), supervisor);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status)) : "");
}

TEST(DeadManSwitch, EmptiesAndRemovesTheTreesCgroup) {
    auto fs = std::make_shared<const limit::CgroupFs>("/");
    auto made = limit::create_tree_group(fs, limit::find_cgroups(*fs), ::getpid());
    if (!made.group) {
        GTEST_SKIP() << "no cgroup can be made here (needs root or a delegated v2 group)";
    }
    const std::string cgroup = made.group->dir().directory;
    TempDir dir;
    const auto note = dir / "supervisor.jsonl";
    PidPipe pipe;
    const pid_t supervisor = fork_supervisor([&] {
        DeadManSwitch guard(cgroup, {note.string(), "{"});
        // A process that left every group of ours, found only through the cgroup.
        const pid_t escaped = ::fork();
        if (escaped == 0) {
            std::ofstream(cgroup + "/cgroup.procs") << "0\n";
            ::setsid();
            ::execl("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        pipe.send(escaped);
        ::pause();
    });
    const pid_t escaped = pipe.receive();
    KillAtExit cleanup{{escaped, supervisor}};
    ASSERT_GT(escaped, 0);
    // Wait until it joined (it writes cgroup.procs itself).
    for (int i = 0; i < 200 && slurp(cgroup + "/cgroup.procs").empty(); ++i) {
        std::this_thread::sleep_for(5ms);
    }
    ASSERT_NE(slurp(cgroup + "/cgroup.procs"), "");
    ::kill(supervisor, SIGKILL);
    ::waitpid(supervisor, nullptr, 0);
    EXPECT_TRUE(dies_within(escaped, 5000ms));
    for (int i = 0; i < 400 && std::filesystem::exists(cgroup); ++i) {
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_FALSE(std::filesystem::exists(cgroup));
    // The watcher writes its note after it removed the group.
    for (int i = 0; i < 400 && slurp(note).empty(); ++i) {
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_NE(slurp(note).find("\"cgroup_killed\":1}"), std::string::npos)
        << "[" << slurp(note) << "]";
}

}  // namespace
}  // namespace blackbox::supervise
