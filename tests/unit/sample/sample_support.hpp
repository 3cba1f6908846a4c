#pragma once

// Helpers for the sampler tests: recorded trees, synthetic /proc trees written into a scratch
// directory, and real process groups that are killed and reaped whatever the test does.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

#include <blackbox/sample/proc_fs.hpp>

#include "../scratch_dir.hpp"

namespace blackbox::sample::test_support {

// tests/unit/data/sample/<scenario>.
std::filesystem::path recorded(const std::string& scenario);

// The pid of the recorded tree's root (the python3 process, see the data README).
inline constexpr pid_t kRecordedRoot = 7398;

// A fresh directory under $TMPDIR (or /tmp), removed with its content on destruction.
class TempDir : public blackbox::testing::ScratchDir {
  public:
    TempDir() : ScratchDir("sample") {}
};

// A synthetic /proc: processes with their threads' children files, statm and stat.
class FakeProc {
  public:
    struct Process {
        pid_t ppid = 0;
        std::uint64_t rss_pages = 0;
        std::string comm = "proc";
        // tid → children; the main thread (tid = pid) is added when missing.
        std::map<pid_t, std::vector<pid_t>> threads;
    };

    explicit FakeProc(bool children_files = true) : children_files_(children_files) {}

    void add(pid_t pid, pid_t ppid, std::uint64_t rss_pages,
             std::map<pid_t, std::vector<pid_t>> threads = {}, std::string comm = "proc") {
        processes_[pid] = Process{ppid, rss_pages, std::move(comm), std::move(threads)};
    }

    // Writes the tree under `root` (proc/<pid>/{stat,statm,task/<tid>/children}).
    void write(const std::filesystem::path& root) const;

  private:
    bool children_files_;
    std::map<pid_t, Process> processes_;
};

// Writes `content` to `root`/`path`, making directories.
void write_file(const std::filesystem::path& root, const std::string& path,
                const std::string& content);

// A command started in a process group of its own; SIGKILLed (the whole group) and reaped on
// destruction.
class SpawnedGroup {
  public:
    explicit SpawnedGroup(const std::vector<std::string>& argv);
    ~SpawnedGroup();
    SpawnedGroup(const SpawnedGroup&) = delete;
    SpawnedGroup& operator=(const SpawnedGroup&) = delete;

    pid_t pid() const { return pid_; }

  private:
    pid_t pid_ = -1;
};

// A forked child of the test that maps and touches `bytes` of anonymous memory, then waits to
// be killed; the constructor returns once the memory is touched. Killed and reaped on
// destruction.
class MemoryHog {
  public:
    explicit MemoryHog(std::size_t bytes);
    ~MemoryHog();
    MemoryHog(const MemoryHog&) = delete;
    MemoryHog& operator=(const MemoryHog&) = delete;

    pid_t pid() const { return pid_; }

  private:
    pid_t pid_ = -1;
};

}  // namespace blackbox::sample::test_support
