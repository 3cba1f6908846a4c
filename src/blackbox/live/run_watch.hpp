#pragma once

// Watches a running pytest through its journals: which processes exist, what each is doing
// right now (the test and phase in flight, since when) and how many tests are done. The
// supervisor's hang watchdog, stack dumps and status line read it. Memory stays flat whatever
// the suite's size: only the test in flight is kept per process.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <simdjson.h>
#include <string>
#include <vector>

#include <blackbox/journal/process_files.hpp>
#include <blackbox/journal/process_replay.hpp>
#include <blackbox/live/journal_tail.hpp>

namespace blackbox::live {

struct LiveProcess {
    journal::ProcessFiles files;
    journal::InFlight last;  // what it is doing now
    std::size_t tests_done = 0;
    std::optional<std::size_t> collected;
    std::optional<int> dump_signal;    // faulthandler dumps every stack on this signal
    std::optional<int> native_signal;  // the native handler dumps every thread's native stack
    bool controller = false;
    bool finished = false;                                    // session_end or exit seen
    std::optional<int> capture_stdout_fd, capture_stderr_fd;  // in that process
};

class RunWatch {
  public:
    // Follows the journals of `attempt` only: earlier attempts' processes are dead, and their
    // pids may belong to other processes by now.
    explicit RunWatch(std::filesystem::path run_dir, int attempt = 1);
    ~RunWatch();
    RunWatch(const RunWatch&) = delete;
    RunWatch& operator=(const RunWatch&) = delete;

    // Reads what the journals gained since the last call (and finds new journals).
    void refresh();

    // One entry per pytest process seen so far, in the order first seen.
    const std::vector<LiveProcess>& processes() const { return processes_; }

    // Tests done, over every process.
    std::size_t tests_done() const;
    // Tests to run: the main process's count, or a worker's under xdist (each collects all).
    std::optional<std::size_t> tests_collected() const;

  private:
    struct Follow;
    std::filesystem::path run_dir_;
    int attempt_;
    std::vector<Follow> follows_;
    std::vector<LiveProcess> processes_;
    simdjson::dom::parser parser_;
    std::string padded_;
};

}  // namespace blackbox::live
