#include "sample_support.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <spawn.h>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../test_data.hpp"

extern char** environ;

namespace blackbox::sample::test_support {

namespace fs = std::filesystem;

fs::path recorded(const std::string& scenario) {
    return blackbox::testing::test_data() / "sample" / scenario;
}

void write_file(const fs::path& root, const std::string& path, const std::string& content) {
    fs::path target = root / fs::path(path).relative_path();
    fs::create_directories(target.parent_path());
    std::ofstream(target, std::ios::binary) << content;
}

void FakeProc::write(const fs::path& root) const {
    for (const auto& [pid, process] : processes_) {
        std::string dir = "/proc/" + std::to_string(pid);
        write_file(root, dir + "/statm",
                   "1000 " + std::to_string(process.rss_pages) + " 10 1 0 100 0\n");
        // Fields 3.. of stat; utime, stime, starttime and rss at their places (14, 15, 22, 24).
        write_file(root, dir + "/stat",
                   std::to_string(pid) + " (" + process.comm + ") S " +
                       std::to_string(process.ppid) +
                       " 1 1 0 -1 4194304 10 0 0 0 5 6 0 0 20 0 1 0 777 4096000 " +
                       std::to_string(process.rss_pages) + " 18446744073709551615 0 0 0\n");
        std::map<pid_t, std::vector<pid_t>> threads = process.threads;
        threads.try_emplace(pid);
        for (const auto& [tid, children] : threads) {
            std::string task = dir + "/task/" + std::to_string(tid);
            write_file(root, task + "/stat", "");
            if (children_files_) {
                std::string text;
                for (pid_t child : children) {
                    text += std::to_string(child) + " ";
                }
                write_file(root, task + "/children", text);
            }
        }
    }
}

SpawnedGroup::SpawnedGroup(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const std::string& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    int error = posix_spawnp(&pid_, args[0], nullptr, &attributes, args.data(), environ);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
        throw std::runtime_error(std::string("cannot spawn ") + argv[0] + ": " +
                                 std::strerror(error));
    }
}

SpawnedGroup::~SpawnedGroup() {
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
}

MemoryHog::MemoryHog(std::size_t bytes) {
    int ready[2];
    if (::pipe(ready) != 0) {
        throw std::runtime_error("pipe");
    }
    pid_ = ::fork();
    if (pid_ < 0) {
        throw std::runtime_error("fork");
    }
    if (pid_ == 0) {
        // Only async-signal-safe calls and memset between fork and _exit.
        void* memory =
            ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) {
            ::_exit(1);
        }
        std::memset(memory, 1, bytes);
        char byte = 1;
        if (::write(ready[1], &byte, 1) != 1) {
            ::_exit(1);
        }
        for (;;) {
            ::pause();
        }
    }
    ::close(ready[1]);
    char byte = 0;
    ssize_t n;
    do {
        n = ::read(ready[0], &byte, 1);
    } while (n < 0 && errno == EINTR);
    ::close(ready[0]);
    if (n != 1) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        throw std::runtime_error("the memory hog did not start");
    }
}

MemoryHog::~MemoryHog() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
}

}  // namespace blackbox::sample::test_support
